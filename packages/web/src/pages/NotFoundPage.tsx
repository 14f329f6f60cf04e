/** A path the app does not know. */
import { useTitle } from '../app/router.js';
import { Link } from '../app/Shell.js';

export function NotFoundPage() {
  useTitle('Not found');
  return (
    <div className="page">
      <div className="empty">
        <h1>Nothing here</h1>
        <p>This page does not exist. It may have been moved, or the link is mistyped.</p>
        <Link to="/" className="btn btn-primary">
          Go to your boards
        </Link>
      </div>
    </div>
  );
}
