/** First run: the one-time link from `prodboard serve` creates the owner account. */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { SignedIn } from '../api/types.js';
import { navigate, useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useForm } from '../forms/useForm.js';
import { Field, FormError } from '../ui/Field.js';
import { AuthLayout, fragmentToken } from './AuthLayout.js';

export function SetupPage() {
  useTitle('Set up');
  const { signIn } = useSession();
  const [token] = useState(fragmentToken);
  const [done, setDone] = useState<boolean>();
  const form = useForm({ name: '', email: '', password: '' });

  useEffect(() => {
    api
      .get<{ needs_setup: boolean }>('/setup', { anonymous: true })
      .then((r) => setDone(!r.needs_setup))
      .catch(() => setDone(false));
  }, []);

  if (done) {
    return (
      <AuthLayout title="Already set up" subtitle="This server already has its owner account.">
        <a className="btn btn-primary btn-block" href="/login" onClick={(e) => (e.preventDefault(), navigate('/login'))}>
          Go to sign in
        </a>
      </AuthLayout>
    );
  }
  if (!token) {
    return (
      <AuthLayout title="Setup link needed" subtitle="This page needs the one-time link printed by prodboard.">
        <p>Copy the whole link (including the part after #) from the terminal where prodboard runs, and open it here.</p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Create the owner account" subtitle="You are the first person here. This account will own the workspace.">
      <form
        ref={form.formRef}
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.submit(async () => {
            const result = await api.post<SignedIn>('/setup', { token, ...form.values, name: form.values.name || undefined }, { anonymous: true });
            signIn(result);
            // Leaves the used token out of the history.
            navigate('/', { replace: true });
          });
        }}
      >
        <FormError message={form.general} />
        <Field label="Your name" error={form.errors.name}>
          {(p) => <input {...p} className="input" autoComplete="name" autoFocus value={form.values.name} onChange={(e) => form.onChange('name', e.target.value)} />}
        </Field>
        <Field label="Email" error={form.errors.email} required>
          {(p) => <input {...p} className="input" type="email" autoComplete="username" value={form.values.email} onChange={(e) => form.onChange('email', e.target.value)} />}
        </Field>
        <Field label="Password" error={form.errors.password} hint="A long passphrase is easiest to remember." required>
          {(p) => <input {...p} className="input" type="password" autoComplete="new-password" value={form.values.password} onChange={(e) => form.onChange('password', e.target.value)} />}
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={form.busy}>
          {form.busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
