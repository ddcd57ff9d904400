import { mongo } from 'mongoose';
import { isDatabaseUnavailable } from '../../api/app';

describe('a database that did not answer in time', () => {
  it('is told from other database errors: 503 to retry, not 500', () => {
    expect(isDatabaseUnavailable(new mongo.MongoServerError({ message: 'operation exceeded time limit', code: 50, codeName: 'MaxTimeMSExpired' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('timed out'), { name: 'MongoOperationTimeoutError' }))).toBe(true);
    expect(isDatabaseUnavailable(new mongo.MongoServerError({ message: 'E11000 duplicate key', code: 11000 }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('a bug'))).toBe(false);
  });
});
