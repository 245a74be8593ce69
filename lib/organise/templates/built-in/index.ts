export { firebaseTemplate } from './firebase';
export { githubOauthTemplate } from './github-oauth';
export { googleOauthTemplate } from './google-oauth';
export { sendgridTemplate } from './sendgrid';
export { stripeTemplate } from './stripe';
export { supabaseTemplate } from './supabase';
export { twilioTemplate } from './twilio';
