/** The signed-in person: who they are, changing the password (which signs every session out), signing out. */
import { useState } from 'react';
import { api } from '../api/client.js';
import { setSessionToken } from '../api/session.js';
import { navigate, useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useForm } from '../forms/useForm.js';
import { Avatar } from '../ui/Avatar.js';
import { Field, FormError } from '../ui/Field.js';
import { Icon } from '../ui/icons.js';

export function AccountPage() {
  useTitle('Account');
  const { me, signOut } = useSession();
  const form = useForm({ current_password: '', new_password: '', confirm: '' });
  const [mismatch, setMismatch] = useState(false);

  return (
    <div className="page page-narrow">
      <header className="page-head">
        <div>
          <h1>Account</h1>
          <p className="page-sub">Your profile and password.</p>
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
          <Field label="Repeat the new password" error={mismatch ? 'The two new passwords differ; type the same one twice.' : undefined}>
            {(p) => (
              <input
                {...p}
                className="input"
                type="password"
                autoComplete="new-password"
                value={form.values.confirm}
                onChange={(e) => {
                  setMismatch(false);
                  form.onChange('confirm', e.target.value);
                }}
              />
            )}
          </Field>
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
