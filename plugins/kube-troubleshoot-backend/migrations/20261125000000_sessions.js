// @ts-check

/**
 * Session tickets (single use, across replicas) and terminal recordings (asciicast v2 in chunks,
 * so a long session is stored as it goes and a crash loses at most the last second).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('kt_session_tickets', table => {
    table.comment('One-time tickets that open a terminal WebSocket');
    table.string('id', 64).primary().comment('sha256 of the ticket; the ticket itself is never stored');
    table.string('user_ref').notNullable();
    table.text('target').notNullable().comment('JSON: entity, cluster, namespace, pod, container, kind');
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('redeemed_at', { useTz: true }).nullable();
    table.index(['expires_at'], 'kt_session_tickets_expires_idx');
  });
  await knex.schema.createTable('kt_recordings', table => {
    table.comment('Terminal and debug sessions, recorded as asciicast v2');
    table.string('id', 36).primary();
    table.string('kind', 16).notNullable();
    table.string('user_ref').notNullable();
    table.string('entity_ref').notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('pod').notNullable();
    table.string('container').notNullable();
    table.string('command', 1024).notNullable();
    table.boolean('production').notNullable().defaultTo(false);
    table.text('header').notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('ended_at', { useTz: true }).nullable();
    table.bigInteger('bytes_in').notNullable().defaultTo(0);
    table.bigInteger('bytes_out').notNullable().defaultTo(0);
    table.integer('exit_code').nullable();
    table.string('end_reason', 32).nullable();
    table.index(['entity_ref'], 'kt_recordings_entity_idx');
    table.index(['user_ref'], 'kt_recordings_user_idx');
    table.index(['started_at'], 'kt_recordings_started_idx');
  });
  await knex.schema.createTable('kt_recording_chunks', table => {
    table.string('recording_id', 36).notNullable();
    table.integer('seq').notNullable();
    table.text('events').notNullable().comment('asciicast event lines');
    table.primary(['recording_id', 'seq']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('kt_recording_chunks');
  await knex.schema.dropTable('kt_recordings');
  await knex.schema.dropTable('kt_session_tickets');
};
