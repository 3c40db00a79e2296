import { useEffect, useMemo, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import Slider from '@material-ui/core/Slider';
import Typography from '@material-ui/core/Typography';
import PauseIcon from '@material-ui/icons/Pause';
import PlayArrowIcon from '@material-ui/icons/PlayArrow';
import ReplayIcon from '@material-ui/icons/Replay';
import { RecordingCommand } from '@kube-troubleshoot/backstage-plugin-common';
import { TerminalBinding, TerminalView } from '../TerminalTab/TerminalView';
import { CommandList } from './CommandList';
import { Cast, clock, indexAt, parseSize, SPEEDS } from './replay';

/**
 * Replays a recording in a read-only xterm: play/pause, 1x/2x/8x, and a seek bar (seeking redraws
 * the screen from the start up to that moment, as the terminal state depends on all output). Its
 * commands list beside it; a click jumps there. `startAt`: open paused at that moment.
 */
export function RecordingPlayer(props: { cast: Cast; title: string; commands?: RecordingCommand[]; startAt?: number }) {
  const { cast, title, commands, startAt } = props;
  const [playing, setPlaying] = useState(startAt === undefined);
  const [speed, setSpeed] = useState<number>(1);
  const [time, setTime] = useState(startAt ?? 0);
  const term = useRef<Terminal>();
  const write = useRef<(d: string) => void>(() => undefined);
  const next = useRef(0);
  const binding: TerminalBinding = useMemo(
    () => ({
      attach: w => {
        write.current = w as (d: string) => void;
      },
      input: () => undefined,
      resize: () => undefined,
    }),
    [],
  );

  const draw = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const [, type, data] = cast.events[i];
      if (type === 'o') write.current(data);
      else if (type === 'r') {
        const size = parseSize(data);
        if (size) term.current?.resize(size.cols, size.rows);
      }
    }
  };

  const seek = (t: number) => {
    term.current?.reset();
    term.current?.resize(cast.header.width, cast.header.height);
    const upTo = indexAt(cast.events, t);
    draw(0, upTo);
    next.current = upTo;
    setTime(t);
  };

  useEffect(() => {
    if (!playing) return undefined;
    let last = performance.now();
    let handle = 0;
    const tick = (now: number) => {
      const dt = ((now - last) / 1000) * speed;
      last = now;
      setTime(prev => {
        const t = Math.min(cast.duration, prev + dt);
        const upTo = indexAt(cast.events, t);
        if (upTo > next.current) {
          draw(next.current, upTo);
          next.current = upTo;
        }
        if (t >= cast.duration) setPlaying(false);
        return t;
      });
      handle = requestAnimationFrame(tick);
    };
    handle = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(handle);
    // draw reads refs only
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [playing, speed, cast]);

  const atEnd = time >= cast.duration;
  return (
    <Box>
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <IconButton
          aria-label={playing ? 'Pause' : 'Play'}
          size="small"
          onClick={() => {
            if (atEnd) seek(0);
            setPlaying(p => !p || atEnd);
          }}
        >
          {(() => {
            if (playing) return <PauseIcon />;
            return atEnd ? <ReplayIcon /> : <PlayArrowIcon />;
          })()}
        </IconButton>
        {SPEEDS.map(s => (
          <Button key={s} size="small" variant={speed === s ? 'contained' : 'outlined'} color="primary" onClick={() => setSpeed(s)} aria-pressed={speed === s}>
            {s}x
          </Button>
        ))}
        <Box flex={1} mx={2}>
          <Slider
            aria-label="Seek"
            min={0}
            max={Math.max(cast.duration, 0.001)}
            step={0.01}
            value={Math.min(time, cast.duration)}
            onChange={(_e, v) => seek(v as number)}
          />
        </Box>
        <Typography variant="body2" style={{ fontFamily: 'monospace' }} data-testid="replay-clock">
          {clock(time)} / {clock(cast.duration)}
        </Typography>
      </Box>
      <Box display="flex" style={{ gap: 12, height: 'calc(100vh - 260px)', minHeight: 240 }}>
        <div style={{ flex: 1, minWidth: 0, height: '100%' }} data-testid="replay-screen">
          <TerminalView
            binding={binding}
            fixedSize
            readOnly
            label={`Recording of ${title}`}
            onTerminal={t => {
              term.current = t;
              t.resize(cast.header.width, cast.header.height);
              if (startAt !== undefined) seek(startAt);
            }}
          />
        </div>
        {commands && (
          <Box width={280} flexShrink={0} height="100%">
            <CommandList
              commands={commands}
              time={time}
              onJump={at => {
                setPlaying(false);
                seek(at);
              }}
            />
          </Box>
        )}
      </Box>
    </Box>
  );
}
