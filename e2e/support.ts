// Helpers shared by the end-to-end tests (not a test file itself).
import type { Page } from '@playwright/test';

/** Events in IndexedDB, counted straight from the database. */
export const storedEvents = (page: Page) => page.evaluate(() => new Promise<number>((resolve, reject) => {
  const open = indexedDB.open('cqrs-lab');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const count = open.result.transaction('events').objectStore('events').count();
    count.onsuccess = () => { resolve(count.result); open.result.close(); };
    count.onerror = () => reject(count.error);
  };
}));

/** A log of `length` events on 40 orders (a creation, then items), in the lab's export format. */
export const longLog = (length: number) => Array.from({ length }, (_, i) => {
  const position = i + 1;
  const version = Math.floor(i / 40) + 1;
  const body = version === 1
    ? { eventType: 'OrderCreated', data: { customerId: 'cust-1' } }
    : { eventType: 'ItemAdded', data: { productId: 'p1', productName: 'Thing', unitPrice: 100, quantity: 1 } };
  return {
    eventId: `cmd-x-${position}.1`, streamId: `o-${position % 40}`, streamVersion: version, globalPosition: position,
    schemaVersion: 1, recordedAt: position, correlationId: `corr-x-${position}`, causationId: `cmd-x-${position}`, ...body,
  };
});

/** An export file of `events`, ready for the import control. */
export const exportFile = (name: string, events: unknown[]) => ({
  name, mimeType: 'application/json',
  buffer: Buffer.from(JSON.stringify({ format: 'cqrs-lab.events', formatVersion: 1, events })),
});
