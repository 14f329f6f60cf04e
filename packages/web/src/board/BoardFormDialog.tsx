/**
 * Creating a board, or editing one's details. The fields come from the manifest; a board's columns
 * are edited on the board itself, so the edit form leaves them out.
 */
import { useMemo, useState } from 'react';
import { ApiError, api } from '../api/client.js';
import type { Board } from '../api/types.js';
import { formBody, formFields, toFormValues } from '../forms/fields.js';
import { ModelForm } from '../forms/ModelForm.js';
import { useForm } from '../forms/useForm.js';
import { Dialog } from '../ui/Dialog.js';
import { FormError } from '../ui/Field.js';
import { newKey } from './objects.js';

export function BoardFormDialog({ board, onClose, onSaved }: { board?: Board; onClose: () => void; onSaved: (board: Board, created: boolean) => void }) {
  const fields = useMemo(() => (board ? formFields('board', 'update', ['columns']) : formFields('board', 'create')), [board]);
  const initial = useMemo(() => toFormValues(fields, board?.data ?? { accent: 'indigo' }), [fields, board]);
  const names = useMemo(() => fields.map((f) => f.name), [fields]);
  const form = useForm(initial, names);
  const [key] = useState(newKey);
  const [stale, setStale] = useState<Board>();

  const save = (version?: number) =>
    form.submit(async () => {
      if (!board) {
        onSaved(await api.post<Board>('/data/board', formBody(fields, form.values), { idempotencyKey: key }), true);
        return;
      }
      try {
        onSaved(await api.patch<Board>(`/data/board/${board.id}`, formBody(fields, form.values, initial), { ifMatch: version ?? board.version }), false);
      } catch (err) {
        if (err instanceof ApiError && err.status === 412) setStale(await api.get<Board>(`/data/board/${board.id}`));
        throw err;
      }
    });

  return (
    <Dialog
      title={board ? 'Edit board' : 'New board'}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="board-form" className="btn btn-primary" disabled={form.busy}>
            {form.busy ? 'Saving…' : board ? 'Save' : 'Create board'}
          </button>
        </>
      }
    >
      <form
        id="board-form"
        ref={form.formRef}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(stale?.version);
        }}
      >
        <FormError message={form.general} />
        {stale && <p className="notice">Someone changed this board while you edited it. Saving now keeps your values for the fields you changed.</p>}
        <ModelForm fields={fields} values={form.values} errors={form.errors} onChange={form.onChange} autoFocus="name" />
      </form>
    </Dialog>
  );
}
