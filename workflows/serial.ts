/**
 * Runs a case's writes one after another, in the order the workflow asked for them. A case is
 * its record's only writer, and this keeps it so at the database too: two activities of one case
 * never race, so no store (FerretDB's included, whose conditional updates are not atomic under
 * concurrency) can let an older snapshot land last.
 */
export function inOrder() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(step: () => Promise<T>): Promise<T> => {
    const next = tail.then(step, step);
    tail = next.catch(() => undefined);
    return next;
  };
}
