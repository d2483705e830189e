import type { Dispatch, SetStateAction } from 'react';

/**
 * Previous / Next over a cursor-paginated connection. `cursors` is the stack of `after` cursors of the pages seen
 * (the first page's is null); shown only when there is more than one page.
 */
export function CursorPager({
  label,
  cursors,
  setCursors,
  pageInfo,
}: {
  label: string;
  cursors: (string | null)[];
  setCursors: Dispatch<SetStateAction<(string | null)[]>>;
  pageInfo: { hasNextPage?: boolean | null; endCursor?: string | null } | null | undefined;
}) {
  if (cursors.length <= 1 && !pageInfo?.hasNextPage) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
        Previous
      </button>
      <span className="muted">Page {cursors.length}</span>
      <button
        type="button"
        disabled={!pageInfo?.hasNextPage}
        onClick={() => setCursors((c) => [...c, pageInfo?.endCursor ?? null])}
      >
        Next
      </button>
    </nav>
  );
}
