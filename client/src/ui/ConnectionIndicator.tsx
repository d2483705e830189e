import { useConnection } from '../app/connection-context.tsx';

const LABELS = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' } as const;

/** Whether live updates are flowing: the graphql-ws socket's state. */
export function ConnectionIndicator() {
  const { phase, lastCloseReason } = useConnection();
  const title =
    phase === 'live'
      ? 'Connected: updates arrive as they happen'
      : `Not connected${lastCloseReason ? ` (${lastCloseReason})` : ''}: retrying; what you see may be out of date`;
  return (
    <span className={`connection connection-${phase}`} role="status" aria-live="polite" title={title}>
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[phase]}
    </span>
  );
}
