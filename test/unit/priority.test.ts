import { DEFAULT_PRIORITY_MATRIX, priorityOf } from '../../domain/priority';
import { PriorityMatrixBody } from '../../domain/schemas/priority';

describe('the priority matrix', () => {
  it('derives priority from impact and urgency (1 is the highest)', () => {
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 1, 1)).toBe('P1');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 1, 2)).toBe('P2');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 2, 1)).toBe('P2');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 2, 2)).toBe('P3');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 3, 1)).toBe('P3');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 2, 3)).toBe('P4');
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, 3, 3)).toBe('P4');
  });

  it("follows a process owner's own matrix", () => {
    const strict = PriorityMatrixBody.parse({
      matrix: { '1': { '1': 'P1', '2': 'P1', '3': 'P2' }, '2': { '1': 'P2', '2': 'P2', '3': 'P3' }, '3': { '1': 'P3', '2': 'P4', '3': 'P4' } },
    });
    expect(priorityOf(strict, 1, 2)).toBe('P1');
    expect(priorityOf(strict, 2, 2)).toBe('P2');
  });

  it('refuses impact or urgency outside 1–3', () => {
    expect(() => priorityOf(DEFAULT_PRIORITY_MATRIX, 0, 1)).toThrow(RangeError);
    expect(() => priorityOf(DEFAULT_PRIORITY_MATRIX, 1, 4)).toThrow(RangeError);
  });

  it('refuses a matrix with a missing cell or an unknown priority, naming the cell', () => {
    const missing = PriorityMatrixBody.safeParse({ matrix: { '1': { '1': 'P1', '2': 'P2' }, '2': DEFAULT_PRIORITY_MATRIX.matrix['2'], '3': DEFAULT_PRIORITY_MATRIX.matrix['3'] } });
    expect(missing.success).toBe(false);
    expect(missing.error!.issues[0].path).toEqual(['matrix', '1', '3']);
    const unknown = PriorityMatrixBody.safeParse({ matrix: { ...DEFAULT_PRIORITY_MATRIX.matrix, '3': { '1': 'P3', '2': 'P4', '3': 'P9' } } });
    expect(unknown.success).toBe(false);
    expect(unknown.error!.issues[0].path).toEqual(['matrix', '3', '3']);
  });
});
