import { existsSync } from 'node:fs';
import { expect, test } from 'vitest';
import { StartCallRequest } from './api.ts';
import { PRODUCT_SKILL, BUILTIN_PRODUCTS, productOf } from './products.ts';

test('a call names its product; older calls named a built-in one in their topic', () => {
  expect(productOf({ product: 'insurance-sale', topic: 'wealth-sale' })).toBe('insurance-sale');
  expect(productOf({ topic: 'wealth-sale' })).toBe('wealth-sale');
  expect(productOf({ topic: 'customer asks about funds' })).toBeUndefined();
  expect(productOf({})).toBeUndefined();
});

test('every built-in product is a rule pack every edge ships, and implies a dispatch skill', () => {
  for (const p of BUILTIN_PRODUCTS) {
    expect(existsSync(new URL(`../../rules/${p}`, import.meta.url)), p).toBe(true);
    expect(PRODUCT_SKILL[p]).toBeTruthy();
  }
});

test('a start-call request takes a pack id as product and R1–R5 as risk level', () => {
  expect(StartCallRequest.safeParse({ product: 'mortgage-sale', customerRiskLevel: 'R5' }).success).toBe(
    true,
  );
  expect(StartCallRequest.safeParse({ product: '../rules' }).success).toBe(false);
  expect(StartCallRequest.safeParse({ customerRiskLevel: 'R6' }).success).toBe(false);
  expect(StartCallRequest.safeParse({ customerRiskLevel: 3 }).success).toBe(false);
});
