// @ts-check

/**
 * Several replicas: which replica serves each open session (a ticket row becomes the session's
 * row once redeemed), the replicas' heartbeats, and which replica records each recording, so
 * limits count what is open anywhere and a dead replica's sessions and recordings are closed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('kt_replicas', table => {
    table.comment('Backend replicas serving terminal sessions, with their last heartbeat');
    table.string('id', 36).primary();
    table.string('host').notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('seen_at', { useTz: true }).notNullable();
  });
  await knex.schema.alterTable('kt_session_tickets', table => {
    table.string('replica_id', 36).nullable().comment('the replica that redeemed the ticket and serves the session');
    table.timestamp('ended_at', { useTz: true }).nullable();
    table.index(['user_ref'], 'kt_session_tickets_user_idx');
  });
  await knex.schema.alterTable('kt_recordings', table => {
    table.string('replica_id', 36).nullable().comment('the replica recording it, while it is not ended');
    table.index(['replica_id'], 'kt_recordings_replica_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kt_recordings', table => {
    table.dropIndex(['replica_id'], 'kt_recordings_replica_idx');
    table.dropColumn('replica_id');
  });
  await knex.schema.alterTable('kt_session_tickets', table => {
    table.dropIndex(['user_ref'], 'kt_session_tickets_user_idx');
    table.dropColumn('ended_at');
    table.dropColumn('replica_id');
  });
  await knex.schema.dropTable('kt_replicas');
};
