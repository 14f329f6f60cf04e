/** The frame of the signed-out pages: the brand above one centred card; and their one-time links. */
import { type ReactNode, useEffect, useState } from 'react';
import { ApiError, api, errorMessage } from '../api/client.js';
import { navigate } from '../app/router.js';

export function Brand() {
  return (
    <span className="brand">
      <img src="/favicon.svg" alt="" width={28} height={28} />
      <span>Production Board</span>
    </span>
  );
}

export function AuthLayout({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth-brand">
        <Brand />
      </div>
      <section className="auth-card" aria-labelledby="auth-title">
        <h1 id="auth-title">{title}</h1>
        {subtitle && <p className="auth-subtitle">{subtitle}</p>}
        {children}
      </section>
    </main>
  );
}

/** The one-time token in the page's fragment (`#token=...`): fragments never reach a server or its logs. */
export function fragmentToken(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
}

/**
 * What a one-time link is for (an invitation, a password reset): the server's preview of the token,
 * or why the link does not work (a 404 says so in its own words).
 */
export function useLinkPreview<T>(path: string, token: string): { preview?: T; problem?: string } {
  const [preview, setPreview] = useState<T>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    api
      .post<T>(path, { token }, { anonymous: true })
      .then(setPreview)
      .catch((err) => setProblem(err instanceof ApiError && err.status === 404 ? err.message : errorMessage(err)));
  }, [path, token]);
  return { preview, problem };
}

/** The page of a one-time link that does not work: why, and the way to sign in. */
export function BrokenLink({ title, problem }: { title: string; problem: string }) {
  return (
    <AuthLayout title={title} subtitle={problem}>
      <a className="btn btn-secondary btn-block" href="/login" onClick={(e) => (e.preventDefault(), navigate('/login'))}>
        Go to sign in
      </a>
    </AuthLayout>
  );
}
