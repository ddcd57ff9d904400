import { Schema, type Connection } from 'mongoose';
import type { CiDoc } from './configuration-item';

/**
 * Configuration baselines: a named snapshot of a set of CIs as they were (each at its version), to
 * compare today's CMDB with. Written once, never changed.
 */
const schema = new Schema({ _id: String }, { strict: false, versionKey: false });
schema.index({ createdAt: -1, _id: -1 }, { name: 'createdAt_id' });

export const baselineModel = (conn: Connection) => conn.model('Baseline', schema, 'ci_baselines');

/** A CI as a baseline keeps it. */
export type BaselineItem = Pick<CiDoc, 'class' | 'classVersion' | 'description' | 'owner' | 'status' | 'attributes' | 'relationships' | 'version'> & { name: string };

export interface BaselineDoc {
  _id: string;
  name: string;
  description: string;
  /** how its CIs were chosen: by name, or every CI of a class */
  scope: { cis: string[] } | { class: string };
  createdAt: Date;
  createdBy: string;
  items: BaselineItem[];
}
