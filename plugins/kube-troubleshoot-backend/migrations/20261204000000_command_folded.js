// @ts-check

/**
 * The command index's text folded to lower case by the backend (JavaScript's Unicode case
 * mapping), so that a search matches in any case in both databases: SQLite's lower() and LIKE
 * fold ASCII letters only. Commands indexed before are folded here.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('kt_recording_commands', table => {
    table.text('command_folded').nullable().comment('command in lower case, for the search');
  });
  for (;;) {
    const rows = await knex('kt_recording_commands').whereNull('command_folded').select('recording_id', 'seq', 'command').limit(500);
    if (!rows.length) break;
    for (const r of rows) {
      await knex('kt_recording_commands')
        .where({ recording_id: r.recording_id, seq: r.seq })
        .update({ command_folded: foldCase(r.command) });
    }
  }
};

/**
 * The same folding as the backend's (src/audit/RecordingStore.ts).
 * @param {string} text
 */
function foldCase(text) {
  return text.toLocaleLowerCase('en-US');
}

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kt_recording_commands', table => table.dropColumn('command_folded'));
};
