import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { disabledSettingName, isFunctionDisabled } from '../../local/devhost/disabled.js';

void describe('AzureWebJobs.<name>.Disabled in the dev host', () => {
  void it('names the setting as Azure Functions does', () => {
    assert.equal(disabledSettingName('normalize'), 'AzureWebJobs.normalize.Disabled');
  });

  void it('disables on true or 1 (any case, trimmed) and on nothing else', () => {
    for (const value of ['true', 'True', ' TRUE ', '1'])
      assert.equal(isFunctionDisabled('score', { 'AzureWebJobs.score.Disabled': value }), true, value);
    for (const value of ['false', '0', '', 'yes'])
      assert.equal(isFunctionDisabled('score', { 'AzureWebJobs.score.Disabled': value }), false, value);
    assert.equal(isFunctionDisabled('score', {}), false);
    assert.equal(isFunctionDisabled('score', { 'AzureWebJobs.route.Disabled': 'true' }), false);
  });
});
