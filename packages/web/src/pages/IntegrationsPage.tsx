/**
 * Integrations: personal access tokens for AI assistants (per-model scopes, an expiry, shown once),
 * the list with last use and revoking, and ready-to-paste prodmcp settings for the common AI hosts.
 */
import { MODEL_NAMES, SCOPE_LEVELS, type ScopeLevel } from '@prodboard/shared';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { AccessToken, CreatedAccessToken, OAuthGrant, Output } from '../api/types.js';
import { useTitle } from '../app/router.js';
import { useForm } from '../forms/useForm.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { CopyButton } from '../ui/CopyButton.js';
import { Field, FormError } from '../ui/Field.js';
import { timeAgo } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { useToast } from '../ui/Toasts.js';
import { HOSTS, mcpConfig, type HostId, type Launch } from './mcp-config.js';

const EXPIRY = [
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '365d', label: '1 year' },
  { value: 'never', label: 'Never' },
  { value: 'custom', label: 'On a date…' },
];

const LEVEL_LABEL: Record<ScopeLevel, string> = { none: 'No access', read: 'Read', write: 'Read and write' };

function tokenState(token: AccessToken): { label: string; tone: string } {
  if (token.revoked_at) return { label: 'Revoked', tone: 'muted' };
  if (token.expires_at && Date.parse(token.expires_at) <= Date.now()) return { label: 'Expired', tone: 'muted' };
  return { label: 'Active', tone: 'ok' };
}

export function IntegrationsPage() {
  useTitle('Integrations');
  const toast = useToast();
  const [tokens, setTokens] = useState<AccessToken[]>();
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<{ token: string; name: string }>();
  const initialScopes = Object.fromEntries(MODEL_NAMES.map((m) => [`scope_${m}`, m === 'card' ? 'write' : 'read']));
  const form = useForm({ name: '', expires: '30d', expires_on: '', ...initialScopes }, ['name', 'expires', 'expires_on', 'scopes', ...Object.keys(initialScopes)]);
  const [script, setScript] = useState<{ available: boolean; version: string | null }>();

  const load = useCallback(async () => {
    try {
      setTokens((await api.get<Output<'tokens.list'>>('/tokens')).data);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void load();
    api
      .get<{ available: boolean; version: string | null }>('/mcp/version', { anonymous: true })
      .then(setScript)
      .catch(() => {});
  }, [load]);

  const [revoking, setRevoking] = useState<AccessToken>();
  const [showInactive, setShowInactive] = useState(false);
  // Revoked and expired tokens work no more: they wait behind a toggle, out of the way.
  const active = tokens?.filter((t) => tokenState(t).tone !== 'muted') ?? [];
  const inactive = tokens?.filter((t) => tokenState(t).tone === 'muted') ?? [];

  /** Revokes after the dialog's confirmation; a failure stays in the dialog. */
  const revoke = async (token: AccessToken) => {
    await api.delete(`/tokens/${token.id}`);
    setTokens((list) => list?.map((t) => (t.id === token.id ? { ...t, revoked_at: new Date().toISOString() } : t)));
    toast(`“${token.name}” revoked. Assistants using it lose access at once.`);
  };

  // The scopes' field errors arrive as `scopes` or `scopes.card`; show them at the model they name.
  const scopeError = (model: string) => form.errors[`scope_${model}`] ?? form.errors.scopes;

  return (
    <div className="page page-narrow">
      <header className="page-head">
        <div>
          <h1>Integrations</h1>
          <p className="page-sub">Let AI assistants (Claude Desktop, Cursor, VS Code and others) work on your boards through prodmcp.</p>
        </div>
      </header>

      <section className="panel" aria-labelledby="new-token-title">
        <h2 id="new-token-title">
          <Icon name="key" /> Create a personal access token
        </h2>
        <p className="panel-sub">A token acts as you, limited to the access you choose here. It can never manage people, passwords or other tokens.</p>
        <form
          ref={form.formRef}
          className="stack"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void form.submit(async () => {
              const v = form.values;
              const scopes = Object.fromEntries(MODEL_NAMES.map((m) => [m, v[`scope_${m}`]]));
              const expires = v.expires === 'custom' ? v.expires_on : v.expires;
              const result = await api.post<CreatedAccessToken>('/tokens', { name: v.name, scopes, expires });
              setCreated({ token: result.token, name: result.name });
              setTokens((list) => [result, ...(list ?? [])]);
              form.setValues({ ...v, name: '' });
            });
          }}
        >
          <FormError message={form.general} />
          <Field label="Name" error={form.errors.name} hint="Where it will be used, e.g. “Claude Desktop on my laptop”.">
            {(p) => <input {...p} className="input" value={form.values.name} onChange={(e) => form.onChange('name', e.target.value)} />}
          </Field>
          <div className="scopes">
            {MODEL_NAMES.map((model) => (
              <fieldset key={model} className={`scope${scopeError(model) ? ' field-invalid' : ''}`}>
                <legend className="field-label">{model.charAt(0).toUpperCase() + model.slice(1)}s</legend>
                <div className="segmented">
                  {SCOPE_LEVELS.map((level) => (
                    <label key={level} className="segment">
                      <input type="radio" name={`scope_${model}`} value={level} checked={form.values[`scope_${model}`] === level} onChange={() => form.onChange(`scope_${model}`, level)} />
                      <span>{LEVEL_LABEL[level]}</span>
                    </label>
                  ))}
                </div>
                {scopeError(model) && <p className="field-error">{scopeError(model)}</p>}
              </fieldset>
            ))}
          </div>
          <div className="form-grid">
            <Field label="Expires" error={form.values.expires === 'custom' ? undefined : form.errors.expires}>
              {(p) => (
                <select {...p} className="input" value={form.values.expires} onChange={(e) => form.onChange('expires', e.target.value)}>
                  {EXPIRY.map((x) => (
                    <option key={x.value} value={x.value}>
                      {x.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {form.values.expires === 'custom' && (
              <Field label="Expiry date" error={form.errors.expires} hint="YYYY-MM-DD">
                {(p) => <input {...p} className="input" type="date" value={form.values.expires_on} onChange={(e) => form.onChange('expires_on', e.target.value)} />}
              </Field>
            )}
          </div>
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={form.busy}>
              {form.busy ? 'Creating…' : 'Create token'}
            </button>
          </div>
        </form>

        {created && (
          <div className="secret" role="status">
            <p className="secret-title">
              <Icon name="alert" size={16} /> Copy “{created.name}” now: it is shown only once.
            </p>
            <div className="secret-row">
              <code className="secret-value" data-testid="new-token">
                {created.token}
              </code>
              <CopyButton text={created.token} label="Copy token" />
            </div>
          </div>
        )}
      </section>

      <Setup token={created?.token} script={script} />

      <ConnectedApps />

      <section className="panel" aria-labelledby="tokens-title">
        <h2 id="tokens-title">Your tokens</h2>
        {error && (
          <div className="form-error" role="alert">
            {error}
          </div>
        )}
        {tokens && tokens.length === 0 && <p className="panel-sub">No tokens yet. Create one above to connect an assistant.</p>}
        {tokens && tokens.length > 0 && active.length === 0 && <p className="panel-sub">No active tokens. Create one above to connect an assistant.</p>}
        <TokenList tokens={active} onRevoke={setRevoking} />
        {inactive.length > 0 && (
          <>
            <button type="button" className="btn btn-ghost btn-small" aria-expanded={showInactive} aria-controls="inactive-tokens" onClick={() => setShowInactive((v) => !v)}>
              {showInactive ? 'Hide' : 'Show'} revoked and expired tokens ({inactive.length})
            </button>
            {showInactive && (
              <div id="inactive-tokens">
                <TokenList tokens={inactive} onRevoke={setRevoking} />
              </div>
            )}
          </>
        )}
        {revoking && (
          <ConfirmDialog title={`Revoke “${revoking.name}”?`} confirmLabel="Revoke token" onConfirm={() => revoke(revoking)} onClose={() => setRevoking(undefined)}>
            <p>Every assistant or script using this token loses access at once. This cannot be undone; you can create a new token instead.</p>
          </ConfirmDialog>
        )}
      </section>
    </div>
  );
}

/** Tokens as rows: name, scopes, use, expiry, state, and Revoke for those still working. */
function TokenList({ tokens, onRevoke }: { tokens: AccessToken[]; onRevoke: (token: AccessToken) => void }) {
  return (
    <ul className="list list-flush">
      {tokens.map((t) => {
        const state = tokenState(t);
        return (
          <li key={t.id} className={`list-row${state.tone === 'muted' ? ' row-muted' : ''}`} data-token-id={t.id}>
            <div className="list-main">
              <span className="list-title">
                {t.name} <code className="prefix">{t.prefix}…</code>
              </span>
              <span className="list-sub">
                {Object.entries(t.scopes)
                  .map(([m, l]) => `${m}: ${l}`)
                  .join(' · ')}
              </span>
              <span className="list-sub">
                Created {timeAgo(t.created_at)} · last used <span data-testid="last-used">{timeAgo(t.last_used_at)}</span> ·{' '}
                {t.expires_at ? `expires ${timeAgo(t.expires_at)}` : 'never expires'}
              </span>
            </div>
            <span className={`status-badge status-${state.tone}`}>{state.label}</span>
            {state.tone !== 'muted' && (
              <button type="button" className="btn btn-ghost btn-small danger" onClick={() => onRevoke(t)} aria-label={`Revoke ${t.name}`}>
                Revoke
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/** Apps signed in with OAuth (MCP hosts connected by URL): each with what it may do, when it was last used, and a way to disconnect it. */
function ConnectedApps() {
  const toast = useToast();
  const [grants, setGrants] = useState<OAuthGrant[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    api
      .get<Output<'oauth_grants.list'>>('/oauth/grants')
      .then((r) => setGrants(r.data))
      .catch((err) => setError(errorMessage(err)));
  }, []);

  const disconnect = async (grant: OAuthGrant) => {
    try {
      await api.delete(`/oauth/grants/${grant.id}`);
      setGrants((list) => list?.filter((g) => g.id !== grant.id));
      toast(`“${grant.client_name}” disconnected. It loses access at once.`);
    } catch (err) {
      toast(errorMessage(err), { tone: 'error' });
    }
  };

  return (
    <section className="panel" aria-labelledby="apps-title">
      <h2 id="apps-title">Connected apps</h2>
      <p className="panel-sub">Assistants that signed in through your browser. Each acts as you, limited to the access you allowed.</p>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      {grants && grants.length === 0 && <p className="panel-sub">No connected apps.</p>}
      <ul className="list list-flush">
        {grants?.map((g) => (
          <li key={g.id} className="list-row" data-grant-id={g.id}>
            <div className="list-main">
              <span className="list-title">{g.client_name}</span>
              <span className="list-sub">
                {Object.entries(g.scopes)
                  .map(([m, l]) => `${m}: ${l}`)
                  .join(' · ')}
              </span>
              <span className="list-sub">
                Connected {timeAgo(g.created_at)} · last used <span data-testid="grant-last-used">{timeAgo(g.last_used_at)}</span>
              </span>
            </div>
            <button type="button" className="btn btn-ghost btn-small danger" onClick={() => void disconnect(g)} aria-label={`Disconnect ${g.client_name}`}>
              Disconnect
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Ready-to-paste settings for each host: this server's /mcp URL (OAuth sign-in), or prodmcp from the file this server offers. */
function Setup({ token, script }: { token?: string; script?: { available: boolean; version: string | null } }) {
  const [host, setHost] = useState<HostId>(HOSTS[0].id);
  const [launch, setLaunch] = useState<Launch>('url');
  const chosen = HOSTS.find((h) => h.id === host)!;
  const origin = window.location.origin;
  const text = useMemo(() => mcpConfig(chosen.id, { baseUrl: origin, token, launch }), [chosen.id, origin, token, launch]);

  return (
    <section className="panel" aria-labelledby="setup-title">
      <h2 id="setup-title">
        <Icon name="plug" /> Connect an assistant
      </h2>
      <p className="panel-sub">
        {launch === 'url'
          ? 'Give your assistant this server’s address; it opens a page here where you allow it, and nothing else is installed.'
          : `Paste this into your assistant’s MCP settings. ${token ? 'It already holds the token you just created.' : 'Replace pat_… with a token you created above.'}`}
      </p>
      <div className="tabs" role="tablist" aria-label="AI host">
        {HOSTS.map((h) => (
          <button key={h.id} type="button" role="tab" aria-selected={h.id === host} className={`tab${h.id === host ? ' tab-on' : ''}`} onClick={() => setHost(h.id)}>
            {h.name}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={chosen.name}>
        <p className="where">
          <strong>Where:</strong> {launch === 'url' ? chosen.url : chosen.file}
        </p>
        <fieldset className="plain launch">
          <legend className="field-label">Connect with</legend>
          <div className="segmented">
            <label className="segment">
              <input type="radio" name="launch" checked={launch === 'url'} onChange={() => setLaunch('url')} />
              <span>This server’s URL</span>
            </label>
            <label className="segment">
              <input type="radio" name="launch" checked={launch === 'file'} onChange={() => setLaunch('file')} />
              <span>prodmcp, a single file from this server</span>
            </label>
          </div>
        </fieldset>
        {launch === 'file' && (
          <div className="where">
            <p>
              Download it once (Node.js 20 or later runs it){script?.version ? `; this server offers prodmcp ${script.version}` : ''}:
            </p>
            <div className="secret-row">
              <code className="secret-value">{`mkdir -p ~/.prodmcp && curl -fsSL ${origin}/xapi2/mcp/script -o ~/.prodmcp/prodmcp.mjs`}</code>
              <CopyButton text={`mkdir -p ~/.prodmcp && curl -fsSL ${origin}/xapi2/mcp/script -o ~/.prodmcp/prodmcp.mjs`} />
            </div>
            {script && !script.available && <p className="field-hint">This server has no prodmcp build yet; run npm run build on the server first.</p>}
          </div>
        )}
        <div className="code-block">
          <pre data-testid="mcp-config" tabIndex={0}>
            <code>{text}</code>
          </pre>
          <CopyButton text={text} className="code-copy" />
        </div>
      </div>
    </section>
  );
}
