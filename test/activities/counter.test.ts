/** Case numbers: taken at once by many, from a counter not yet there, each number once. */
import type { Models } from '../../models';
import { nextNumber } from '../../models/counter';
import { openDatabase } from '../support/harness';

let models: Models;
beforeAll(async () => (models = await openDatabase('counter')));
afterAll(async () => models?.conn.close());

it('gives every one of many first numbers taken at once a number of its own', async () => {
  for (let round = 0; round < 5; round++) {
    const numbers = await Promise.all(Array.from({ length: 16 }, () => nextNumber(models.Counter, `RACE${round}`)));
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  }
});

it('goes on from a counter set before (an earlier version, an import), and gives each of many takers at once its own', async () => {
  await models.Counter.create({ _id: 'INC', value: 41_000 });
  const numbers = await Promise.all(Array.from({ length: 32 }, () => nextNumber(models.Counter, 'INC')));
  expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => 41_001 + i));
  expect(await nextNumber(models.Counter, 'INC')).toBe(41_033);
});
