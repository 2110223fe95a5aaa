import { expect, test } from 'vitest';
import { matchCommand } from './voice.ts';

test('voice phrases map to commands in both languages', () => {
  expect(matchCommand('please unmute me')).toBe('unmute');
  expect(matchCommand('Mute')).toBe('mute');
  expect(matchCommand('show the document')).toBe('document');
  expect(matchCommand('show expert')).toBe('expert');
  expect(matchCommand('switch to low bandwidth')).toBe('lowBandwidth');
  expect(matchCommand('hang up')).toBe('leave');
  expect(matchCommand('取消静音')).toBe('unmute');
  expect(matchCommand('静音')).toBe('mute');
  expect(matchCommand('看文件')).toBe('document');
  expect(matchCommand('专家')).toBe('expert');
  expect(matchCommand('省流模式')).toBe('lowBandwidth');
  expect(matchCommand('nothing useful')).toBeNull();
});
