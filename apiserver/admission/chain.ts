// The admission seam: an ordered chain of in-process plugins. Mutating plugins run first (they may change the
// object), then validating plugins (they may only reject), as in kube-apiserver.
import type { KObject } from '../../storage/store.js';
import type { ResourceType } from '../registry/types.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionAttributes {
  operation: Operation;
  resource: ResourceType;
  subresource?: string;
  namespace?: string;
  name: string;
  /** The incoming object (CREATE, UPDATE). Mutating plugins change it in place. */
  object?: KObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KObject;
  dryRun: boolean;
  user?: { username: string; groups: string[] };
}

export interface AdmissionPlugin {
  name: string;
  admit?(a: AdmissionAttributes): void | Promise<void>;
  validate?(a: AdmissionAttributes): void | Promise<void>;
}

export class AdmissionChain {
  constructor(private readonly plugins: AdmissionPlugin[]) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(a);
  }
}
