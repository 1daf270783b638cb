import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APIError, toStatus } from '../errors.js';
import { managerFromUserAgent, validateApplyOptions } from './options.js';

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof APIError);
    assert.equal(toStatus(err).code, 422);
    return err.message;
  }
  assert.fail('expected 422');
}

test('apply needs a fieldManager; force is for apply only', () => {
  assert.equal(invalidMessage(() => validateApplyOptions({}, true)),
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  assert.equal(invalidMessage(() => validateApplyOptions({ force: 'false' }, false)),
    'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
  assert.equal(invalidMessage(() => validateApplyOptions({ fieldManager: 'x'.repeat(129) }, false)),
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes');
  assert.match(invalidMessage(() => validateApplyOptions({ fieldManager: 'a\u0001' }, true)), /invalid character U\+0001 \(at position 1\)$/);
});

test('force is set unless "false" or "0"', () => {
  assert.deepEqual(validateApplyOptions({ fieldManager: 'm', force: 'true' }, true), { fieldManager: 'm', force: true });
  assert.deepEqual(validateApplyOptions({ fieldManager: 'm', force: '' }, true), { fieldManager: 'm', force: true });
  assert.deepEqual(validateApplyOptions({ fieldManager: 'm', force: 'False' }, true), { fieldManager: 'm', force: false });
  assert.deepEqual(validateApplyOptions({ fieldManager: 'm' }, true), { fieldManager: 'm', force: false });
  assert.deepEqual(validateApplyOptions({}, false), { fieldManager: undefined, force: false });
});

test('the default manager is the User-Agent up to "/", printable and at most 128 bytes', () => {
  assert.equal(managerFromUserAgent('kubectl/v1.31.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(managerFromUserAgent('flux\tcd/2.0'), 'fluxcd');
  assert.equal(managerFromUserAgent(''), '');
  assert.equal(managerFromUserAgent(undefined), '');
  assert.equal(managerFromUserAgent('é'.repeat(100)), 'é'.repeat(64));
});
