import VideoLibraryIcon from '@material-ui/icons/VideoLibrary';

/**
 * The recordings page's icon, for a sidebar item in apps on the legacy frontend system:
 * `<SidebarItem icon={KubeTroubleshootRecordingsIcon} to="kube-troubleshoot/recordings" text="Recordings" />`.
 *
 * @public
 */
export const KubeTroubleshootRecordingsIcon = VideoLibraryIcon;
