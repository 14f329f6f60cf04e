/**
 * A modal dialog on the native <dialog> element: the browser traps focus, closes on Escape and puts
 * it above everything. Focus starts at the body's first field (a form opens where one types; the
 * browser alone would pick the Close button) and returns to whatever opened it. `drawer` slides in
 * from the right.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Icon } from './icons.js';

/** The fields a dialog's focus may start at. */
const FIRST_FIELD = '.dialog-body :is(input:not([type="hidden"]), textarea, select):not(:disabled)';

export function Dialog({
  title,
  onClose,
  children,
  variant = 'modal',
  footer,
  wide,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  variant?: 'modal' | 'drawer';
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const dialog = ref.current!;
    dialog.showModal();
    dialog.querySelector<HTMLElement>(FIRST_FIELD)?.focus();
    return () => {
      if (dialog.open) dialog.close();
      // The opener may have been re-rendered away; only refocus it when it is still there.
      if (opener && opener.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${variant}${wide ? ' dialog-wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCloseRef.current();
      }}
      onMouseDown={(e) => {
        // A press on the backdrop (the dialog element itself, outside its box) closes it.
        if (e.target === ref.current) {
          const box = ref.current.getBoundingClientRect();
          const inside = e.clientX >= box.left && e.clientX <= box.right && e.clientY >= box.top && e.clientY <= box.bottom;
          if (!inside) onCloseRef.current();
        }
      }}
    >
      <div className="dialog-head">
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <button type="button" className="icon-btn" onClick={() => onCloseRef.current()} aria-label="Close">
          <Icon name="close" />
        </button>
      </div>
      <div className="dialog-body">{children}</div>
      {footer && <div className="dialog-foot">{footer}</div>}
    </dialog>
  );
}
