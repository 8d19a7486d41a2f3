/** The words of a scenario turned into values: a Service's name is checked as Kubernetes checks it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServiceName } from '../support/subjects.ts';

test('a Service name is a DNS-1035 label, else an error that says what Kubernetes accepts', () => {
  for (const name of ['nginx-service', 'lb-nginx-service', 'kube-dns', 'a', `a${'b'.repeat(62)}`])
    assert.equal(parseServiceName(name), name);
  for (const name of ['', 'Nginx', 'nginx_service', '1nginx', 'nginx-', 'nginx.default', `a${'b'.repeat(63)}`])
    assert.throws(() => parseServiceName(name), /cannot name a Service: Kubernetes names it with at most 63 lowercase letters/, name);
});
