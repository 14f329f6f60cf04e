/** A banner while the server cannot be reached; the live stream catches the board up when it returns. */
import { useEffect, useState } from 'react';
import { isOnline, onConnectivity } from '../api/connectivity.js';
import { Icon } from '../ui/icons.js';

export function ConnectionBanner() {
  const [online, setOnline] = useState(isOnline);
  const [recovered, setRecovered] = useState(false);

  useEffect(
    () =>
      onConnectivity((up) => {
        setOnline((was) => {
          if (up && !was) {
            setRecovered(true);
            setTimeout(() => setRecovered(false), 3000);
          }
          return up;
        });
      }),
    [],
  );

  if (online && !recovered) return null;
  return (
    <div className={`banner ${online ? 'banner-ok' : 'banner-warn'}`} role={online ? 'status' : 'alert'} data-testid="connection-banner">
      <Icon name={online ? 'check' : 'wifiOff'} />
      {online ? (
        <span>Back online. The board is up to date.</span>
      ) : (
        <span>
          <strong>Connection lost.</strong> Reconnecting… Changes made while offline may fail; the board catches up when the connection returns.
        </span>
      )}
    </div>
  );
}
