/**
 * Where a message goes: the menu of contacts (or a destination typed by hand), and sending a
 * finished draft there. Shared by the prompt flow, its commands and its questions.
 */

import { destinationMenu } from '../cli/text.js';
import type { DirectoryEntry } from '../codecs/directory.js';
import { type Destination, destinationOf } from '../node/reports.js';
import type { Draft, Mode, Output, View } from './flow.js';

export type Step = readonly [Mode, readonly Output[]];

export const composing: Mode = { kind: 'composing', lines: [] };
export { destinationOf };

export const show = (text: string): Output => ({ kind: 'show', text });

/** Contacts to offer: ourselves too would be odd (a shared course directory lists everyone). */
export const contactsOf = (view: View): readonly DirectoryEntry[] =>
  view.contacts.filter((c) => c.username !== view.self);

export const findByName = (view: View, name: string) =>
  contactsOf(view).find((c) => c.username === name);

/** Send a finished draft to a destination; a retry keeps its msg_id. */
export const dispatch = (draft: Draft, to: Destination, label: string): Step => [
  composing,
  draft.kind === 'retry'
    ? [show(`sending again to ${label}…`), { kind: 'retry', msgId: draft.msgId, to }]
    : [show(`sending to ${label}…`), { kind: 'send', to, text: draft.text }],
];

/**
 * A retry to where it went before: the contact's current entry (its password may have been
 * corrected since), or for a destination typed by hand, the one the node kept.
 */
const retryAsBefore = (draft: Extract<Draft, { kind: 'retry' }>, view: View): Step => {
  const { was } = draft;
  const contact = was.username === undefined ? undefined : findByName(view, was.username);
  if (contact !== undefined) return dispatch(draft, destinationOf(contact), contact.username);
  return [
    composing,
    [
      show(`sending again to ${was.username ?? `${was.host}:${was.port}`}…`),
      { kind: 'retry', msgId: draft.msgId, to: undefined },
    ],
  ];
};

export const startChoosing = (draft: Draft, view: View): Step => [
  { kind: 'choosing', draft },
  [show(destinationMenu(contactsOf(view), draft.kind === 'retry' ? draft.was : undefined))],
];

export const chooseDestination = (draft: Draft, answer: string, view: View): Step => {
  const contacts = contactsOf(view);
  const picked = /^[0-9]+$/.test(answer) ? contacts[Number(answer) - 1] : findByName(view, answer);
  if (picked !== undefined) return dispatch(draft, destinationOf(picked), picked.username);
  if (answer === 'm' || answer === 'M') return [{ kind: 'manualHost', draft }, []];
  if (answer === '' && draft.kind === 'retry') return retryAsBefore(draft, view);
  if (answer === '') return [composing, [show('not sent')]];
  const range = contacts.length > 0 ? `1–${contacts.length}, a name, or m` : 'm';
  return [{ kind: 'choosing', draft }, [show(`pick ${range}`)]];
};
