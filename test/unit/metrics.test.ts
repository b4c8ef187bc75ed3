import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics, registryText, serveMetrics } from '../../src/metrics.js';

describe('metrics', () => {
  it('serves what was counted on /metrics in Prometheus text format, and nothing else', async () => {
    const metrics = createMetrics();
    metrics.interactions.inc({ kind: 'command', name: 'lesson', outcome: 'ok' });
    metrics.posts.inc({ outcome: 'sent' }, 2);
    const server = await serveMetrics(0, registryText(metrics.registry), pino({ level: 'silent' }));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const body = await response.text();
      expect(body).toContain('newsdesk_interactions_total{kind="command",name="lesson",outcome="ok"} 1');
      expect(body).toContain('newsdesk_lesson_posts_total{outcome="sent"} 2');
      expect(body).toContain('newsdesk_process_cpu_seconds_total');
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      // A scraper's query string (Prometheus may add one) is the same page, as on HEALTH_PORT.
      const withQuery = await fetch(`http://127.0.0.1:${port}/metrics?scrape=1`);
      expect(withQuery.status).toBe(200);
      expect(await withQuery.text()).toContain('newsdesk_lesson_posts_total{outcome="sent"} 2');
    } finally {
      server.close();
    }
  });
});
