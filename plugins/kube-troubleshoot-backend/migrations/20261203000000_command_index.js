// @ts-check

/**
 * The command index: each command run in a recorded session, when it ran (seconds into the
 * recording), its exit status and how it was learnt (the shell's marks, or the typed line), so
 * recordings can be searched by what was run. The cluster is indexed for that search.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('kt_recording_commands', table => {
    table.comment('Commands run in recorded sessions, in order');
    table.string('recording_id', 36).notNullable();
    table.integer('seq').notNullable().comment('order within the recording');
    table.double('at').notNullable().comment('seconds from the recording start');
    table.text('command').notNullable();
    table.integer('exit_code').nullable();
    table.string('source', 8).notNullable().comment("'shell' (its marks) or 'input' (the typed line)");
    table.primary(['recording_id', 'seq']);
  });
  await knex.schema.alterTable('kt_recordings', table => {
    table.index(['cluster'], 'kt_recordings_cluster_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kt_recordings', table => table.dropIndex(['cluster'], 'kt_recordings_cluster_idx'));
  await knex.schema.dropTable('kt_recording_commands');
};
