import { render, screen } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('starts at the dev sign-in page', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Test', baseUrl: 'http://localhost:3000' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as unknown as string,
    };

    render(App.createRoot());

    // The app loads its plugins first; on a busy 2-core machine (the whole workspace runs at
    // once) that took more than findByRole's default second once.
    expect(
      await screen.findByRole('button', { name: 'Sign in as alice' }, { timeout: 15_000 }),
    ).toBeInTheDocument();
  }, 30_000);
});
