export * from '../../scripts/lib/ports.ts';
