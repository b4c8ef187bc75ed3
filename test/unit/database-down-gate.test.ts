import { describe, expect, it } from 'vitest';
import { DatabaseDownGate, saysServerDown } from '../../src/db/down-gate.js';

/** What pg and Node hand over, with the fields the gate reads. */
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
const serverError = (code: string, message = 'server says no') => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('the database-down gate', () => {
  it('lets everything through while the database answers', () => {
    const gate = new DatabaseDownGate();
    expect([gate.enter(), gate.enter(), gate.enter()]).toEqual([{ probe: false }, { probe: false }, { probe: false }]);
    gate.answered();
    expect(gate.enter()).toEqual({ probe: false });
  });

  it('once the database does not answer, lets one request at a time ask and fails the others at once', () => {
    const gate = new DatabaseDownGate();
    gate.unanswered();
    expect(gate.isDown).toBe(true);
    expect(gate.enter()).toEqual({ probe: true });
    expect(gate.enter()).toBeUndefined();
    expect(gate.enter()).toBeUndefined();
    // The probe met no answer either: the next request asks again.
    gate.probeEnded();
    expect(gate.enter()).toEqual({ probe: true });
    expect(gate.enter()).toBeUndefined();
    // It answered: everyone again.
    gate.answered();
    gate.probeEnded();
    expect(gate.isDown).toBe(false);
    expect([gate.enter(), gate.enter()]).toEqual([{ probe: false }, { probe: false }]);
  });

  it('an answer from any request (one let through before the outage was seen) opens it too', () => {
    const gate = new DatabaseDownGate();
    gate.unanswered();
    expect(gate.enter()).toEqual({ probe: true });
    gate.answered();
    expect(gate.enter()).toEqual({ probe: false });
  });
});

describe('what says the server is not there', () => {
  it.each([
    ['connection refused', socketError('ECONNREFUSED')],
    ['host unknown', socketError('ENOTFOUND')],
    ['reset', socketError('ECONNRESET')],
    ['the server shutting down', serverError('57P01', 'terminating connection due to administrator command')],
    ['the server starting up', serverError('57P03', 'the database system is starting up')],
    ['no answer to a statement', new Error('Query read timeout')],
    ['a new connection timed out', new Error('Connection terminated due to connection timeout')],
    ['a connection that ended under a statement', new Error('Connection terminated unexpectedly')],
    ['a client whose connection is gone', new Error('Client has encountered a connection error and is not queryable')],
    ['either of two addresses refused', new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')], '')],
    ['a cause that says so', new Error('wrapped', { cause: socketError('ECONNREFUSED') })],
  ])('%s', (_, error) => {
    expect(saysServerDown(error)).toBe(true);
  });

  it.each([
    ['a statement the server cancelled', serverError('57014', 'canceling statement due to statement timeout')],
    ['a lock not granted in time', serverError('55P03', 'canceling statement due to lock timeout')],
    ['a constraint', serverError('23505', 'duplicate key value violates unique constraint')],
    ['too many connections (the server answered)', serverError('53300', 'sorry, too many clients already')],
    ['a wait for a busy pool', new Error('timeout exceeded when trying to connect')],
    ['not an error', 'ECONNREFUSED'],
  ])('not %s', (_, error) => {
    expect(saysServerDown(error)).toBe(false);
  });
});
