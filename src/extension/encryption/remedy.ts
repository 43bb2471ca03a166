// Which command fixes an error about encryption: "not set up" → Set Up Encryption, "locked" → Unlock. Error
// notifications of commands carry it as their button (safeCommand.ts).
import { ErrorCodes } from '../../backend/protocol';
import { BackendError } from '../backendClient';

export function encryptionRemedy(err: unknown): { label: string; command: string } | undefined {
  if (!(err instanceof BackendError)) return undefined;
  if (err.code === ErrorCodes.Locked) return { label: 'Unlock', command: 'cairn.unlockEncryption' };
  if ((err.data as { reason?: string } | undefined)?.reason === 'not_initialised') return { label: 'Set Up Encryption', command: 'cairn.setUpEncryption' };
  return undefined;
}
