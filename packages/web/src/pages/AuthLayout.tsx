/** The frame of the signed-out pages: the brand above one centred card. */
import type { ReactNode } from 'react';

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
