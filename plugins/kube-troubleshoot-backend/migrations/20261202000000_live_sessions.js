// @ts-check

/**
 * Sessions that outlive a socket, and live join: a session's public id and whether its owner shares
 * it, single-use attach tokens (an owner's resume token, a watcher's), where each replica is
 * reached (a browser that comes back through another replica is forwarded to the one that holds the
 * shell), and who watched each recording.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('kt_replicas', table => {
    table.string('url', 1024).nullable().comment('where the other replicas reach this one (sessions are forwarded to it)');
  });
  await knex.schema.alterTable('kt_session_tickets', table => {
    table.string('session_id', 36).nullable().comment('the session id, once the ticket is redeemed');
    table.timestamp('shared_at', { useTz: true }).nullable().comment('set while the owner shares the session');
    table.index(['session_id'], 'kt_session_tickets_session_idx');
  });
  await knex.schema.createTable('kt_session_attach', table => {
    table.comment('Single-use tokens that attach a browser to a running session (its owner again, or a watcher)');
    table.string('id', 64).primary().comment('sha256 of the token; the token itself is never stored');
    table.string('session_id', 36).notNullable();
    table.string('user_ref').notNullable();
    table.string('role', 16).notNullable();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('used_at', { useTz: true }).nullable();
    table.index(['expires_at'], 'kt_session_attach_expires_idx');
  });
  await knex.schema.alterTable('kt_recordings', table => {
    table.text('watchers').nullable().comment('JSON array of the user refs that watched the session live');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kt_recordings', table => table.dropColumn('watchers'));
  await knex.schema.dropTable('kt_session_attach');
  await knex.schema.alterTable('kt_session_tickets', table => {
    table.dropIndex(['session_id'], 'kt_session_tickets_session_idx');
    table.dropColumn('shared_at');
    table.dropColumn('session_id');
  });
  await knex.schema.alterTable('kt_replicas', table => table.dropColumn('url'));
};
