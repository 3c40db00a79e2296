export { RecordingsPage } from './RecordingsPage';
export { RecordingsList } from './RecordingsList';
