/**
 * Version order (semver 2.0.0 precedence): which build the server distributes is "newer" decides
 * whether prodmcp tells the host to update and whether `prodmcp update` replaces itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareVersions, isNewer } from '../src/update/versions.js';

describe('version order', () => {
  test('pre-release identifiers compare numerically, then lexically, and a release beats its pre-releases', () => {
    const ascending = [
      '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
      '1.0.0-rc.1', '1.0.0-rc.2', '1.0.0-rc.10', '1.0.0', '1.0.1', '1.9.2-rc.1', '1.9.2', '1.10.0',
    ];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        assert.equal(compareVersions(ascending[i], ascending[j]), Math.sign(i - j), `${ascending[i]} vs ${ascending[j]}`);
      }
    }
  });

  test('isNewer: rc.10 is newer than rc.2; build metadata and a leading v do not count; junk is never newer', () => {
    assert.equal(isNewer('1.0.0-rc.10', '1.0.0-rc.2'), true);
    assert.equal(isNewer('1.0.0-rc.2', '1.0.0-rc.10'), false);
    assert.equal(isNewer('1.2.0+build.5', '1.2.0'), false);
    assert.equal(isNewer('v1.2.1', '1.2.0'), true);
    for (const junk of ['', 'latest', '1.2', 'not.a.version', null, undefined]) assert.equal(isNewer(junk, '1.2.0'), false, String(junk));
  });
});
