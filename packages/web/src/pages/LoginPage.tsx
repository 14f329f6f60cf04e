/** Sign in with email and password; a fresh server points to its one-time setup link instead. */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { Output, SignedIn } from '../api/types.js';
import { navigate, useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useForm } from '../forms/useForm.js';
import { Field, FormError } from '../ui/Field.js';
import { AuthLayout } from './AuthLayout.js';

export function LoginPage({ next, notice }: { next?: string; notice?: string }) {
  useTitle('Sign in');
  const { signIn } = useSession();
  const form = useForm({ email: '', password: '' });
  const [needsSetup, setNeedsSetup] = useState(false);

  useEffect(() => {
    api
      .get<Output<'setup.status'>>('/setup', { anonymous: true })
      .then((r) => setNeedsSetup(r.needs_setup))
      .catch(() => {});
  }, []);

  if (needsSetup) {
    return (
      <AuthLayout title="Welcome to Production Board" subtitle="This server has no account yet.">
        <p>
          Open the one-time setup link that <code>prodboard</code> printed when it started (it looks like <code>/setup#token=setup_…</code>) to create
          the owner account.
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Sign in" subtitle="Welcome back. Sign in to your boards.">
      {notice && (
        <div className="notice" role="status">
          {notice}
        </div>
      )}
      <form
        ref={form.formRef}
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.submit(async () => {
            const result = await api.post<SignedIn>('/auth/login', { email: form.values.email, password: form.values.password }, { anonymous: true });
            signIn(result);
            navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
          });
        }}
      >
        <FormError message={form.general} />
        <Field label="Email" error={form.errors.email}>
          {(p) => <input {...p} className="input" type="email" autoComplete="username" autoFocus value={form.values.email} onChange={(e) => form.onChange('email', e.target.value)} />}
        </Field>
        <Field label="Password" error={form.errors.password}>
          {(p) => <input {...p} className="input" type="password" autoComplete="current-password" value={form.values.password} onChange={(e) => form.onChange('password', e.target.value)} />}
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={form.busy}>
          {form.busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="auth-hint">Forgot your password? Ask an owner or admin of your workspace for a reset link.</p>
      </form>
    </AuthLayout>
  );
}
