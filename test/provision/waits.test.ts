import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judge, type WaitCondition } from '../../support/provision/waits.ts';

// Shapes as `kubectl get tigerastatus -o json` / `kubectl get nodes -o json` print them.
const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });
const condition = (type: string, status: 'True' | 'False', reason = '', message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-11-22T02:10:00Z',
});
const tigeraStatus = (name: string, available: boolean, progressing = '') => ({
  apiVersion: 'operator.tigera.io/v1',
  kind: 'TigeraStatus',
  metadata: { name },
  spec: {},
  status: {
    conditions: [
      condition('Available', available ? 'True' : 'False', available ? 'AllObjectsAvailable' : 'ResourceNotReady'),
      condition('Progressing', progressing ? 'True' : 'False', 'ResourceNotReady', progressing),
      condition('Degraded', 'False', 'AllObjectsAvailable'),
    ],
  },
});
const node = (name: string, ready: boolean) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: {
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      ready
        ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
        : condition(
            'Ready',
            'False',
            'KubeletNotReady',
            'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          ),
    ],
  },
});

const calicoAndApiserver: WaitCondition = { type: 'tigerastatus-available', names: ['calico', 'apiserver'] };
const threeNodes: WaitCondition = { type: 'nodes-ready', count: 3 };

test('TigeraStatus: done only when every named status is Available', () => {
  assert.deepEqual(
    judge(calicoAndApiserver, list(tigeraStatus('calico', true), tigeraStatus('apiserver', true), tigeraStatus('ippools', false))),
    {
      done: true,
      summary: 'calico: Available; apiserver: Available',
    },
  );
});

test('TigeraStatus: a missing or progressing status keeps the wait going and says why', () => {
  const seen = judge(
    calicoAndApiserver,
    list(tigeraStatus('calico', false, 'DaemonSet "calico-system/calico-node" is not available (awaiting 2 nodes)')),
  );
  assert.deepEqual(seen, {
    done: false,
    summary:
      'calico: not Available (Progressing: DaemonSet "calico-system/calico-node" is not available (awaiting 2 nodes)); apiserver: not reported yet',
  });
});

test('TigeraStatus: an empty list (operator not started yet) is not done', () => {
  assert.equal(judge(calicoAndApiserver, list()).done, false);
});

test('nodes: done when as many nodes as asked for are all Ready', () => {
  assert.deepEqual(judge(threeNodes, list(node('podnet-control-plane', true), node('podnet-worker', true), node('podnet-worker2', true))), {
    done: true,
    summary: '3/3 nodes Ready',
  });
});

test('nodes: a NotReady node is named with its reason', () => {
  assert.deepEqual(
    judge(threeNodes, list(node('podnet-control-plane', true), node('podnet-worker', false), node('podnet-worker2', true))),
    {
      done: false,
      summary: '2/3 nodes Ready: podnet-worker NotReady (KubeletNotReady)',
    },
  );
});

test('nodes: fewer nodes than asked for is not done, even if all are Ready', () => {
  assert.equal(judge(threeNodes, list(node('podnet-control-plane', true))).done, false);
});

test('output that is not JSON is reported, not trusted', () => {
  assert.deepEqual(judge(threeNodes, 'error: the server has asked for the client to provide credentials'), {
    done: false,
    summary: 'unreadable output: error: the server has asked for the client to provide credentials',
  });
});
