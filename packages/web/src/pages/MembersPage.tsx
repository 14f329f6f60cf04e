/**
 * Who is in the workspace and their roles; owners and admins invite people by one-time link, change
 * roles, issue password reset links and remove members (after asking).
 */
import { ROLES, type Role } from '@prodboard/shared';
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { CreatedInvitation, Invitation, Member, Output, PasswordResetLink } from '../api/types.js';
import { useTitle } from '../app/router.js';
import { useSession } from '../app/session.js';
import { useForm } from '../forms/useForm.js';
import { Avatar } from '../ui/Avatar.js';
import { ConfirmDialog } from '../ui/ConfirmDialog.js';
import { CopyButton } from '../ui/CopyButton.js';
import { Field, FormError } from '../ui/Field.js';
import { timeAgo } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { useToast } from '../ui/Toasts.js';

const ROLE_HELP: Record<Role, string> = {
  owner: 'Everything, including managing owners',
  admin: 'Manages members and invitations',
  member: 'Creates and edits boards and cards',
  viewer: 'Reads boards and cards',
};

const EXPIRY = [
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function MembersPage() {
  useTitle('Members');
  const { me } = useSession();
  const toast = useToast();
  const manager = me?.role === 'owner' || me?.role === 'admin';
  const grantable = ROLES.filter((r) => me?.role === 'owner' || r !== 'owner');
  const [members, setMembers] = useState<Member[]>();
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [error, setError] = useState<string>();
  const [rowError, setRowError] = useState<Record<string, string>>({});
  const [link, setLink] = useState<string>();
  const [removing, setRemoving] = useState<Member>();
  const [resetLink, setResetLink] = useState<{ member: Member; url: string }>();
  const form = useForm({ role: 'member', email: '', expires: '7d' });

  const load = useCallback(async () => {
    try {
      setMembers((await api.get<Output<'members.list'>>('/members')).data);
      if (manager) setInvitations((await api.get<Output<'invitations.list'>>('/invitations')).data);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [manager]);
  useEffect(() => void load(), [load]);

  const changeRole = async (member: Member, role: string) => {
    try {
      const saved = await api.patch<Member>(`/members/${member.user_id}`, { role });
      setMembers((list) => list?.map((m) => (m.user_id === saved.user_id ? saved : m)));
      setRowError((e) => ({ ...e, [member.user_id]: '' }));
      toast(`${member.name} is now ${role === 'admin' || role === 'owner' ? 'an' : 'a'} ${role}.`, { tone: 'success' });
    } catch (err) {
      setRowError((e) => ({ ...e, [member.user_id]: errorMessage(err) }));
    }
  };

  const remove = async (member: Member) => {
    await api.delete(`/members/${member.user_id}`);
    setMembers((list) => list?.filter((m) => m.user_id !== member.user_id));
    toast(`${member.name} was removed from the workspace.`, { tone: 'success' });
  };

  const issueReset = async (member: Member) => {
    try {
      const issued = await api.post<PasswordResetLink>(`/members/${member.user_id}/password-reset`, {});
      setResetLink({ member, url: window.location.origin + issued.path });
      setRowError((e) => ({ ...e, [member.user_id]: '' }));
    } catch (err) {
      setRowError((e) => ({ ...e, [member.user_id]: errorMessage(err) }));
    }
  };

  /** Whether the caller may manage this member: owners anyone, admins anyone but owners. */
  const manages = (m: Member) => manager && (me?.role === 'owner' || m.role !== 'owner');

  const revoke = async (invitation: Invitation) => {
    try {
      await api.delete(`/invitations/${invitation.id}`);
      setInvitations((list) => list.filter((i) => i.id !== invitation.id));
      toast('Invite link revoked.');
    } catch (err) {
      toast(errorMessage(err), { tone: 'error' });
    }
  };

  return (
    <div className="page page-narrow">
      <header className="page-head">
        <div>
          <h1>Members</h1>
          <p className="page-sub">{me ? `The people of ${me.workspace.name}.` : 'The people of this workspace.'}</p>
        </div>
      </header>
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}

      <section className="panel" aria-labelledby="members-title">
        <h2 id="members-title">People</h2>
        <ul className="list list-flush">
          {members?.map((m) => (
            <li key={m.user_id} className="list-row">
              <Avatar name={m.name} size={32} />
              <div className="list-main">
                <span className="list-title">
                  {m.name}
                  {m.user_id === me?.id && <span className="you"> (you)</span>}
                </span>
                <span className="list-sub">
                  {m.email} · joined {timeAgo(m.joined_at)}
                </span>
                {rowError[m.user_id] && (
                  <p className="field-error" role="alert">
                    {rowError[m.user_id]}
                  </p>
                )}
              </div>
              {manages(m) ? (
                <label>
                  <span className="visually-hidden">Role of {m.name}</span>
                  <select className="input input-small" value={m.role} onChange={(e) => void changeRole(m, e.target.value)}>
                    {grantable.map((r) => (
                      <option key={r} value={r}>
                        {cap(r)}
                      </option>
                    ))}
                  </select>
                </label>
              ) : (
                <span className="role-badge">{cap(m.role)}</span>
              )}
              {manages(m) && m.user_id !== me?.id && (
                <>
                  <button type="button" className="btn btn-ghost btn-small" aria-label={`Reset password of ${m.name}`} onClick={() => void issueReset(m)}>
                    Reset password
                  </button>
                  <button type="button" className="btn btn-ghost btn-small danger" aria-label={`Remove ${m.name}`} onClick={() => setRemoving(m)}>
                    Remove
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
        {resetLink && (
          <div className="secret" role="status">
            <p className="secret-title">Password reset link for {resetLink.member.name}: send it now, it is shown only once and works for a day</p>
            <div className="secret-row">
              <code className="secret-value" data-testid="reset-link" tabIndex={0}>
                {resetLink.url}
              </code>
              <CopyButton text={resetLink.url} />
            </div>
          </div>
        )}
      </section>
      {removing && (
        <ConfirmDialog title={`Remove ${removing.name}?`} confirmLabel={`Remove ${removing.name}`} onConfirm={() => remove(removing)} onClose={() => setRemoving(undefined)}>
          <p>
            {removing.name} ({removing.email}) leaves {me?.workspace.name ?? 'this workspace'} now: they are signed out here, and their personal access tokens and
            connected assistants for this workspace stop working. Their boards, cards and comments stay.
          </p>
        </ConfirmDialog>
      )}

      {manager && (
        <section className="panel" aria-labelledby="invite-title">
          <h2 id="invite-title">Invite someone</h2>
          <p className="panel-sub">Create a one-time link and send it to the person you invite. It works once, until it expires.</p>
          <form
            ref={form.formRef}
            className="form-grid"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void form.submit(async () => {
                const created = await api.post<CreatedInvitation>('/invitations', {
                  role: form.values.role,
                  email: form.values.email.trim() || undefined,
                  expires: form.values.expires,
                });
                setLink(window.location.origin + created.path);
                setInvitations((list) => [created, ...list]);
              });
            }}
          >
            <FormError message={form.general} />
            <Field label="Role" error={form.errors.role} hint={ROLE_HELP[form.values.role as Role]}>
              {(p) => (
                <select {...p} className="input" value={form.values.role} onChange={(e) => form.onChange('role', e.target.value)}>
                  {grantable.map((r) => (
                    <option key={r} value={r}>
                      {cap(r)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Email (optional)" error={form.errors.email} hint="Only this address may use the link.">
              {(p) => <input {...p} className="input" type="email" value={form.values.email} onChange={(e) => form.onChange('email', e.target.value)} />}
            </Field>
            <Field label="Link works for" error={form.errors.expires}>
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
            <div className="row field-wide">
              <button type="submit" className="btn btn-primary" disabled={form.busy}>
                <Icon name="plus" size={16} /> Create invite link
              </button>
            </div>
          </form>
          {link && (
            <div className="secret" role="status">
              <p className="secret-title">Invite link: send it now, it is shown only once</p>
              <div className="secret-row">
                <code className="secret-value" data-testid="invite-link" tabIndex={0}>
                  {link}
                </code>
                <CopyButton text={link} />
              </div>
            </div>
          )}
          {invitations.length > 0 && (
            <>
              <h3 className="subhead">Pending invitations</h3>
              <ul className="list list-flush">
                {invitations.map((inv) => (
                  <li key={inv.id} className="list-row">
                    <div className="list-main">
                      <span className="list-title">
                        {cap(inv.role)}
                        {inv.email ? ` · ${inv.email}` : ' · anyone with the link'}
                      </span>
                      <span className="list-sub">{inv.expired ? 'Expired' : `Expires ${timeAgo(inv.expires_at)}`}</span>
                    </div>
                    <button type="button" className="btn btn-ghost btn-small danger" onClick={() => void revoke(inv)}>
                      Revoke
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </div>
  );
}
