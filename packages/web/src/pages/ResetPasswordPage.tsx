/** A password reset link (from an owner or admin, or `prodboard user password`): set a new password and sign in. */
import { useState } from 'react';
import { api } from '../api/client.js';
import type { SignedIn } from '../api/types.js';
import { navigate, useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useForm } from '../forms/useForm.js';
import { Field, FormError, RepeatPasswordField } from '../ui/Field.js';
import { AuthLayout, BrokenLink, fragmentToken, useLinkPreview } from './AuthLayout.js';

interface Preview {
  email: string;
  name: string;
}

export function ResetPasswordPage() {
  useTitle('Set a new password');
  const { signIn } = useSession();
  const [token] = useState(fragmentToken);
  const { preview, problem } = useLinkPreview<Preview>('/password-reset/preview', token);
  const [mismatch, setMismatch] = useState(false);
  const form = useForm({ password: '', confirm: '' });

  if (problem) return <BrokenLink title="This reset link does not work" problem={problem} />;
  if (!preview) return <AuthLayout title="Checking your link…">{null}</AuthLayout>;

  return (
    <AuthLayout title="Set a new password" subtitle={`For ${preview.name} (${preview.email}). You will be signed out everywhere else.`}>
      <form
        ref={form.formRef}
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (form.values.password !== form.values.confirm) {
            setMismatch(true);
            return;
          }
          setMismatch(false);
          void form.submit(async () => {
            const result = await api.post<SignedIn>('/password-reset', { token, password: form.values.password }, { anonymous: true });
            signIn(result);
            navigate('/', { replace: true });
          });
        }}
      >
        <FormError message={form.general} />
        <input type="email" autoComplete="username" value={preview.email} readOnly hidden />
        <Field label="New password" error={form.errors.password} hint="At least 8 characters." required>
          {(p) => <input {...p} className="input" type="password" autoComplete="new-password" autoFocus value={form.values.password} onChange={(e) => form.onChange('password', e.target.value)} />}
        </Field>
        <RepeatPasswordField
          value={form.values.confirm}
          error={mismatch ? 'The two passwords differ; type the same one twice.' : undefined}
          required
          onChange={(value) => {
            setMismatch(false);
            form.onChange('confirm', value);
          }}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={form.busy}>
          {form.busy ? 'Saving…' : 'Set password and sign in'}
        </button>
      </form>
    </AuthLayout>
  );
}
