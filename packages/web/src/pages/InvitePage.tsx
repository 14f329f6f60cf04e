/**
 * Accepting an invite link: a new account in the inviting workspace, with the role it offers; or, for
 * someone who already has an account, joining with it (signed in already, or signing in here).
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { InvitationPreview, SignedIn } from '../api/types.js';
import { navigate, useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useForm } from '../forms/useForm.js';
import { Field, FormError } from '../ui/Field.js';
import { AuthLayout, BrokenLink, fragmentToken, useLinkPreview } from './AuthLayout.js';


export function InvitePage() {
  useTitle('Join');
  const { signIn, token: session, me } = useSession();
  const [existing, setExisting] = useState(false);
  const signInForm = useForm({ email: '', password: '' });
  const [token] = useState(fragmentToken);
  const { preview, problem } = useLinkPreview<InvitationPreview>('/invitations/preview', token);
  const form = useForm({ name: '', email: '', password: '' });

  // An invitation for one email fills it in.
  useEffect(() => {
    if (preview?.email) form.onChange('email', preview.email);
  }, [preview, form.onChange]);

  if (problem) return <BrokenLink title="This invite link does not work" problem={problem} />;
  if (!preview) return <AuthLayout title="Checking your invitation…">{null}</AuthLayout>;

  const invitedAs = `You were invited as ${preview.role === 'admin' ? 'an admin' : `a ${preview.role}`}.`;
  const join = async (with_?: string) => {
    const result = await api.post<SignedIn>('/invitations/join', { token }, with_ ? { token: with_ } : {});
    signIn(result);
    navigate('/', { replace: true });
  };

  if (session && me) {
    return (
      <AuthLayout title={`Join ${preview.workspace.name}`} subtitle={`${invitedAs} You are signed in as ${me.email}.`}>
        <form
          ref={form.formRef}
          className="stack"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void form.submit(() => join());
          }}
        >
          <FormError message={form.general} />
          <button type="submit" className="btn btn-primary btn-block" disabled={form.busy}>
            {form.busy ? 'Joining…' : `Join as ${me.name}`}
          </button>
        </form>
      </AuthLayout>
    );
  }

  if (existing) {
    return (
      <AuthLayout title={`Join ${preview.workspace.name}`} subtitle={`${invitedAs} Sign in with your account to join.`}>
        <form
          ref={signInForm.formRef}
          className="stack"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void signInForm.submit(async () => {
              const signedIn = await api.post<SignedIn>('/auth/login', signInForm.values, { anonymous: true });
              await join(signedIn.access_token);
            });
          }}
        >
          <FormError message={signInForm.general} />
          <Field label="Email" error={signInForm.errors.email} required>
            {(p) => <input {...p} className="input" type="email" autoComplete="username" autoFocus value={signInForm.values.email} onChange={(e) => signInForm.onChange('email', e.target.value)} />}
          </Field>
          <Field label="Password" error={signInForm.errors.password} required>
            {(p) => <input {...p} className="input" type="password" autoComplete="current-password" value={signInForm.values.password} onChange={(e) => signInForm.onChange('password', e.target.value)} />}
          </Field>
          <button type="submit" className="btn btn-primary btn-block" disabled={signInForm.busy}>
            {signInForm.busy ? 'Joining…' : 'Sign in and join'}
          </button>
          <button type="button" className="btn btn-ghost btn-block" onClick={() => setExisting(false)}>
            I need a new account
          </button>
        </form>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={`Join ${preview.workspace.name}`} subtitle={`${invitedAs} Create your account to start.`}>
      <form
        ref={form.formRef}
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.submit(async () => {
            const result = await api.post<SignedIn>('/invitations/accept', { token, ...form.values }, { anonymous: true });
            signIn(result);
            navigate('/', { replace: true });
          });
        }}
      >
        <FormError message={form.general} />
        <Field label="Your name" error={form.errors.name}>
          {(p) => <input {...p} className="input" autoComplete="name" autoFocus value={form.values.name} onChange={(e) => form.onChange('name', e.target.value)} />}
        </Field>
        <Field label="Email" error={form.errors.email} required>
          {(p) => (
            <input {...p} className="input" type="email" autoComplete="username" readOnly={!!preview.email} value={form.values.email} onChange={(e) => form.onChange('email', e.target.value)} />
          )}
        </Field>
        <Field label="Password" error={form.errors.password} required>
          {(p) => <input {...p} className="input" type="password" autoComplete="new-password" value={form.values.password} onChange={(e) => form.onChange('password', e.target.value)} />}
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={form.busy}>
          {form.busy ? 'Joining…' : 'Create account and join'}
        </button>
        <button type="button" className="btn btn-ghost btn-block" onClick={() => setExisting(true)}>
          I already have an account
        </button>
      </form>
    </AuthLayout>
  );
}
