/**
 * Form state every form shares: the values as typed, the server's errors by field, a form-level
 * error, and a submit that keeps the values on failure and moves focus to the first problem.
 */
import { useCallback, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { focusFirstError } from '../ui/Field.js';
import { splitErrors, type FormValues } from './fields.js';

export function useForm(initial: FormValues, fieldNames: readonly string[] = Object.keys(initial)) {
  const [values, setValues] = useState<FormValues>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string>();
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const onChange = useCallback((name: string, value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    // The message was about the old value; it goes once the value changes.
    setErrors((e) => {
      if (!(name in e)) return e;
      const { [name]: _gone, ...rest } = e;
      return rest;
    });
  }, []);

  /** Runs `action`; on failure shows the server's messages at their fields and keeps every value. */
  const submit = useCallback(
    async (action: () => Promise<void>) => {
      setBusy(true);
      setGeneral(undefined);
      try {
        await action();
        setErrors({});
      } catch (err) {
        const split = splitErrors(err, fieldNames);
        // Commit the messages now: focus must find the invalid control, and a busy page could
        // otherwise render them after the frame in which focusFirstError looks.
        flushSync(() => {
          setErrors(split.byField);
          setGeneral(split.general);
        });
        focusFirstError(formRef.current);
      } finally {
        setBusy(false);
      }
    },
    [fieldNames],
  );

  return { values, setValues, errors, setErrors, general, setGeneral, busy, onChange, submit, formRef };
}
