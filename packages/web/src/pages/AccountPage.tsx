/** The signed-in person: who they are, changing name and email, changing the password (which signs every session out), signing out. */
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { Me } from '../api/types.js';
import { setSessionToken } from '../api/session.js';
import { navigate, useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useForm } from '../forms/useForm.js';
import { Avatar } from '../ui/Avatar.js';
import { Field, FormError, RepeatPasswordField } from '../ui/Field.js';
import { Icon } from '../ui/icons.js';
import { useToast } from '../ui/Toasts.js';

export function AccountPage() {
  useTitle('Account');
  const { me, signOut, refresh } = useSession();
  const form = useForm({ current_password: '', new_password: '', confirm: '' });
  const [mismatch, setMismatch] = useState(false);
  const toast = useToast();
  const profile = useForm({ name: '', email: '', current_password: '' });
  const { setValues } = profile;
  // The form starts from the account as the server has it (once it is known, and after each save).
  useEffect(() => {
    if (me) setValues({ name: me.name, email: me.email, current_password: '' });
  }, [me, setValues]);
  const emailChanges = !!me && profile.values.email.trim().toLowerCase() !== me.email.toLowerCase();

  return (
    <div className="page page-narrow">
      <header className="page-head">
        <div>
          <h1>Account</h1>
          <p className="page-sub">Your profile, sign-in email and password.</p>
        </div>
      </header>
      {me && (
        <section className="panel profile">
          <Avatar name={me.name} size={48} />
          <div>
            <p className="profile-name">{me.name}</p>
            <p className="profile-sub">{me.email}</p>
            <p className="profile-sub">
              {me.role} in {me.workspace.name}
            </p>
          </div>
        </section>
      )}
      {me && (
        <section className="panel" aria-labelledby="profile-title">
          <h2 id="profile-title">Name and email</h2>
          <p className="panel-sub">Your email is how you sign in. Changing it asks for your password.</p>
          <form
            ref={profile.formRef}
            className="stack"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void profile.submit(async () => {
                const body: Record<string, string> = { name: profile.values.name };
                if (emailChanges || profile.values.email.trim() !== me.email) body.email = profile.values.email;
                if (emailChanges) body.current_password = profile.values.current_password;
                await api.patch<Me>('/auth/me', body);
                refresh();
                toast('Your account was saved.', { tone: 'success' });
              });
            }}
          >
            <FormError message={profile.general} />
            <Field label="Name" error={profile.errors.name}>
              {(p) => <input {...p} className="input" autoComplete="name" value={profile.values.name} onChange={(e) => profile.onChange('name', e.target.value)} />}
            </Field>
            <Field label="Email" error={profile.errors.email}>
              {(p) => <input {...p} className="input" type="email" autoComplete="email" value={profile.values.email} onChange={(e) => profile.onChange('email', e.target.value)} />}
            </Field>
            {emailChanges && (
              <Field label="Current password" error={profile.errors.current_password} hint="Needed to change the email you sign in with.">
                {(p) => (
                  <input {...p} className="input" type="password" autoComplete="current-password" value={profile.values.current_password} onChange={(e) => profile.onChange('current_password', e.target.value)} />
                )}
              </Field>
            )}
            <div className="row">
              <button type="submit" className="btn btn-primary" disabled={profile.busy}>
                {profile.busy ? 'Saving…' : 'Save'}
              </button>
            </div>
          </form>
        </section>
      )}
      <section className="panel" aria-labelledby="password-title">
        <h2 id="password-title">Change password</h2>
        <p className="panel-sub">Changing your password signs you out everywhere, including this browser.</p>
        <form
          ref={form.formRef}
          className="stack"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (form.values.new_password !== form.values.confirm) {
              setMismatch(true);
              return;
            }
            setMismatch(false);
            void form.submit(async () => {
              await api.post('/auth/password', { current_password: form.values.current_password, new_password: form.values.new_password });
              setSessionToken(null);
              navigate('/login', { replace: true });
            });
          }}
        >
          <FormError message={form.general} />
          <Field label="Current password" error={form.errors.current_password}>
            {(p) => <input {...p} className="input" type="password" autoComplete="current-password" value={form.values.current_password} onChange={(e) => form.onChange('current_password', e.target.value)} />}
          </Field>
          <Field label="New password" error={form.errors.new_password}>
            {(p) => <input {...p} className="input" type="password" autoComplete="new-password" value={form.values.new_password} onChange={(e) => form.onChange('new_password', e.target.value)} />}
          </Field>
          <RepeatPasswordField
            value={form.values.confirm}
            error={mismatch ? 'The two new passwords differ; type the same one twice.' : undefined}
            onChange={(value) => {
              setMismatch(false);
              form.onChange('confirm', value);
            }}
          />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={form.busy}>
              {form.busy ? 'Changing…' : 'Change password'}
            </button>
          </div>
        </form>
      </section>
      <section className="panel">
        <h2>Sign out</h2>
        <p className="panel-sub">Sign out of this browser. Your personal access tokens keep working.</p>
        <button type="button" className="btn btn-secondary" onClick={() => void signOut()}>
          <Icon name="logout" size={16} /> Sign out
        </button>
      </section>
    </div>
  );
}
