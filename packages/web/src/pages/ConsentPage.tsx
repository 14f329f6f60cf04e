/**
 * OAuth consent: an MCP host asks to act as the signed-in member. The page names the client, the
 * address it will be sent back to, and the scopes it would get (already capped by the member's
 * role), then sends the browser back to the client with the answer.
 */
import type { ScopeLevel } from '@prodboard/shared';
import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { ConsentRequest, Output } from '../api/types.js';
import { useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { AuthLayout } from './AuthLayout.js';

const LEVEL: Record<ScopeLevel, string> = { none: 'No access', read: 'Read', write: 'Read and write' };

/** The address without its query: what the member needs to recognise where the browser goes. */
function destination(uri: string): string {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' || url.protocol === 'https:' ? `${url.origin}${url.pathname}` : `${url.protocol}${url.pathname}`;
  } catch {
    return uri;
  }
}

export function ConsentPage({ requestId }: { requestId: string }) {
  useTitle('Allow access');
  const { me } = useSession();
  const [consent, setConsent] = useState<ConsentRequest>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .get<ConsentRequest>(`/oauth/requests/${encodeURIComponent(requestId)}`)
      .then(setConsent)
      .catch((err) => setError(errorMessage(err)));
  }, [requestId]);

  const answer = async (decision: 'approve' | 'deny') => {
    setBusy(true);
    try {
      const { redirect_to } = await api.post<Output<'oauth_requests.approve'>>(`/oauth/requests/${encodeURIComponent(requestId)}/${decision}`);
      window.location.assign(redirect_to);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  if (error || !consent) {
    return (
      <AuthLayout title="Allow access">
        {error ? (
          <div className="form-error" role="alert">
            {error}
          </div>
        ) : (
          <p className="auth-subtitle">Loading…</p>
        )}
      </AuthLayout>
    );
  }

  const capped = Object.entries(consent.requested_scopes).some(([model, level]) => level === 'write' && consent.scopes[model] !== 'write');
  return (
    <AuthLayout
      title={`Allow ${consent.client.name} to use Production Board?`}
      subtitle={
        <>
          It will act as <strong>{me?.email ?? 'you'}</strong> in <strong>{consent.workspace.name}</strong>, with the access below.
        </>
      }
    >
      <dl className="consent" data-testid="consent">
        <dt>App</dt>
        <dd data-testid="consent-client">
          {consent.client.name}
          {consent.client.kind === 'metadata_document' && <span className="list-sub"> ({consent.client.id})</span>}
        </dd>
        <dt>Sends you back to</dt>
        <dd>
          <code data-testid="consent-redirect">{destination(consent.redirect_uri)}</code>
        </dd>
        <dt>Access</dt>
        <dd>
          <ul className="consent-scopes">
            {Object.entries(consent.scopes).map(([model, level]) => (
              <li key={model} data-scope={model}>
                {model.charAt(0).toUpperCase() + model.slice(1)}s: {LEVEL[level]}
              </li>
            ))}
          </ul>
          {capped && <p className="field-hint">Your role ({consent.role}) can only read, so the app gets read access where it asked to write.</p>}
        </dd>
      </dl>
      <p className="field-hint">Only allow apps you trust. You can disconnect it at any time on the Integrations page.</p>
      <div className="row">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void answer('approve')}>
          Allow
        </button>
        <button type="button" className="btn btn-ghost" disabled={busy} onClick={() => void answer('deny')}>
          Deny
        </button>
      </div>
    </AuthLayout>
  );
}
