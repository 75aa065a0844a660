import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { isTransientError } from './transient-error';

const pgError = (code: string, message = 'pg error') => Object.assign(new Error(message), { code });
const viaTypeorm = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isTransientError', () => {
  it.each([
    ['connection failure (08006)', pgError('08006')],
    ['connection does not exist (08003)', pgError('08003')],
    ['admin shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['crash shutdown (57P02)', pgError('57P02')],
    ['cannot connect now (57P03)', pgError('57P03')],
    ['too many connections (53300)', pgError('53300')],
    ['serialization failure (40001)', pgError('40001')],
    ['deadlock (40P01)', pgError('40P01')],
    ['admin shutdown through TypeORM', viaTypeorm(pgError('57P01'))],
    ['a released query runner', new QueryRunnerAlreadyReleasedError()],
    ['a query on the connection of a released query runner', new QueryRunnerProviderAlreadyReleasedError()],
    ['node-postgres losing its connection', new Error('Connection terminated unexpectedly')],
    ['a client that lost its connection', new Error('Client has encountered a connection error and is not queryable')],
    ['the pool failing to connect in time', new Error('timeout exceeded when trying to connect')],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['EPIPE', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })],
    ['ioredis without a connection', new Error('Connection is closed.')],
    ['ioredis with no offline queue', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis command timeout', new Error('Command timed out')],
    [
      'ioredis giving up',
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' }),
    ],
    ['Redis loading its data set', Object.assign(new Error('LOADING Redis is loading the dataset in memory'), { name: 'ReplyError' })],
    ['a wrapped cause', new Error('apply failed', { cause: pgError('08006') })],
  ])('retries %s', (_label, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', viaTypeorm(pgError('23505'))],
    ['a check violation (23514)', pgError('23514')],
    ['a foreign key violation (23503)', viaTypeorm(pgError('23503'))],
    ['invalid input (22P02)', pgError('22P02')],
    ['an undefined column (42703)', pgError('42703')],
    ['an applier refusal', new Error('Meter 12 was replaced; the reading no longer fits')],
    [
      'a Redis error reply',
      Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' }),
    ],
    ['not an error at all', 'connection lost'],
    ['nothing', undefined],
  ])('does not retry %s', (_label, error) => {
    expect(isTransientError(error)).toBe(false);
  });

  it('stops on a cause that points back at itself', () => {
    const looped = new Error('outer') as Error & { cause?: unknown };
    looped.cause = looped;
    expect(isTransientError(looped)).toBe(false);
  });
});
