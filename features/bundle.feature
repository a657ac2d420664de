@bundle @smoke
Feature: No secret reaches the browser
  Service-role keys, Stripe secret keys and webhook secrets belong on the server. The public
  pages and every client asset they load (scripts, Next.js chunks and manifests, __NEXT_DATA__,
  source maps) are fetched without a session and scanned. Publishable keys and the Supabase
  anon key are public by design and allowed.

  Scenario: The public pages and client bundles carry no secret keys
    Then the public pages and client assets contain no secrets
