import type { Calendar } from '../domain/calendar';
import type { Models } from '../models';
import { policyVersion } from '../models/policies';

/** Calendars by id and version; a version never changes, so it is cached for good. */
export class CalendarCache {
  private readonly cache = new Map<string, Promise<Calendar>>();
  constructor(private readonly models: Models) {}

  get(id: string, version: number): Promise<Calendar> {
    const k = `${id}@${version}`;
    let c = this.cache.get(k);
    if (!c) {
      c = policyVersion<Omit<Calendar, 'id' | 'version'>>(this.models, 'calendar', id, version).then((p) => {
        if (!p) throw new Error(`calendar ${k} is missing`);
        return { ...p.body, id, version };
      });
      c.catch(() => this.cache.delete(k));
      this.cache.set(k, c);
    }
    return c;
  }
}
