// Constructor argument checks shared by the built-in targets. The instantiate layer adds the config key path to
// the UserError, so messages here only say what is wrong with the value and what to put instead.
import { shownValue, UserError } from '../run/errors.js';

export function posInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new UserError(`${name} must be a positive integer, got ${shownValue(v)}`, name);
  }
  return v;
}

export function rate(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) {
    throw new UserError(`${name} must be a number in [0, 1), got ${shownValue(v)}`, name);
  }
  return v;
}

export function positive(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
    throw new UserError(`${name} must be a positive number, got ${shownValue(v)}`, name);
  }
  return v;
}

export function fraction(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v > 0 && v <= 1)) throw new UserError(`${name} must be a number in (0, 1], got ${shownValue(v)}`, name);
  return v;
}

export function nonNegative(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new UserError(`${name} must be a finite number >= 0, got ${shownValue(v)}`, name);
  }
  return v;
}

export function flag(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new UserError(`${name} must be true or false, got ${shownValue(v)}`, name);
  return v;
}
