import { describe, expect, it } from 'vitest';
import { metricsPortProblem } from '../../src/operations/cluster-metrics.js';

describe('start:sharded’s ports: process k serves METRICS_PORT + k, the manager HEALTH_PORT', () => {
  it('accepts a HEALTH_PORT outside the processes’ metrics ports, and either port unset', () => {
    expect(metricsPortProblem({ METRICS_PORT: 9464, HEALTH_PORT: 9463 }, 4)).toBeUndefined();
    expect(metricsPortProblem({ METRICS_PORT: 9464, HEALTH_PORT: 9468 }, 4)).toBeUndefined();
    expect(metricsPortProblem({ METRICS_PORT: 9464 }, 4)).toBeUndefined();
    expect(metricsPortProblem({ HEALTH_PORT: 9464 }, 4)).toBeUndefined();
  });

  it('refuses a HEALTH_PORT equal to any process’s metrics port, the first and the last included', () => {
    expect(metricsPortProblem({ METRICS_PORT: 9464, HEALTH_PORT: 9464 }, 1)).toContain('HEALTH_PORT=9464');
    expect(metricsPortProblem({ METRICS_PORT: 9464, HEALTH_PORT: 9467 }, 4)).toContain('9464–9467');
  });

  it('refuses a METRICS_PORT whose last process would be past port 65535', () => {
    expect(metricsPortProblem({ METRICS_PORT: 65_535 }, 1)).toBeUndefined();
    expect(metricsPortProblem({ METRICS_PORT: 65_535 }, 2)).toContain('no port for process 1 of 2');
  });
});
