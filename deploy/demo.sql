-- Sample data for a demonstration of the OPOP Jatim API: 36 pesantren in 33
-- of the 38 regions, the programmes of the three pillars in 2023 and 2024 with
-- their cohorts, products with certifications, mentoring visits, province
-- targets and a year and a half of measurements, mostly verified.
--
-- Run by the database owner after the migrations:
--   psql -v ON_ERROR_STOP=1 -f deploy/demo.sql
-- It runs in one transaction and can be run again: rows that already exist
-- are left as they are, and nothing is duplicated. Every name is invented.
--
-- The demo users (mentors, one operator per pesantren, a viewer) all sign in
-- with the password Demo-OPOP-2024. Never load this into a production database.

\set ON_ERROR_STOP on
BEGIN;
SET LOCAL client_min_messages = warning;
-- The audit trail tells these rows apart from what people did through the API.
DO $$ BEGIN PERFORM set_config('opop.request_id', 'demo-data', true); END $$;

-- Stable ids, so a second run finds what the first one made.
CREATE FUNCTION pg_temp.demo_id(kind text, key text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$ SELECT md5('opop-demo/' || kind || '/' || key)::uuid $$;

-- Transaction-local actor for the triggers that stamp who did what.
CREATE FUNCTION pg_temp.demo_act_as(actor uuid) RETURNS void
LANGUAGE sql AS $$
  SELECT set_config('opop.actor', coalesce(actor::text, ''), true),
         set_config('opop.actor_kind', CASE WHEN actor IS NULL THEN 'system' ELSE 'user' END, true)
$$;

------------------------------------------------------------------------------
-- Pesantren
------------------------------------------------------------------------------
CREATE TEMP TABLE demo_pesantren (
  n integer PRIMARY KEY, nspp text, name text, region_code text, district text, village text,
  address text, leader_name text, phone text, founded_year integer, santri_count integer,
  typology text, latitude double precision, longitude double precision
) ON COMMIT DROP;

INSERT INTO demo_pesantren VALUES
  (1, '510035170021', 'Pondok Pesantren Darul Falah', '35.17', 'Diwek', 'Cukir',
   'Jl. Irian Jaya No. 12', 'KH. Ahmad Syaifuddin', '0321-861204', 1952, 1850, 'terpadu', -7.6072, 112.2440),
  (2, '510035090114', 'Pondok Pesantren Miftahul Ulum Al-Karimiyah', '35.09', 'Ambulu', 'Sabrang',
   'Jl. Kyai Mojo No. 45', 'KH. Moh. Hasan Basri', '0336-882517', 1938, 2400, 'salafiyah', -8.3447, 113.6072),
  (3, '510035100087', 'Pondok Pesantren Nurul Huda Sumberagung', '35.10', 'Genteng', 'Kembiritan',
   'Dusun Krajan RT 02 RW 04', 'KH. Abdul Wahid Hasyim', '0333-845120', 1961, 1320, 'terpadu', -8.3654, 114.1520),
  (4, '510035040052', 'Pondok Pesantren Al-Hidayah Karangrejo', '35.04', 'Karangrejo', 'Sukodono',
   'Jl. Raya Karangrejo No. 8', 'KH. Imam Mustofa', '0355-791337', 1975, 640, 'salafiyah', -8.0282, 111.8711),
  (5, '510035070233', 'Pondok Pesantren Raudlatul Ulum', '35.07', 'Singosari', 'Ardimulyo',
   'Jl. Raya Ardimulyo No. 21', 'KH. Nur Kholis Ridwan', '0341-458210', 1949, 2150, 'terpadu', -7.8831, 112.6795),
  (6, '510035240045', 'Pondok Pesantren Al-Ishlah Sendangagung', '35.24', 'Paciran', 'Sendangagung',
   'Jl. Sunan Drajat No. 3', 'KH. Muhammad Dawam Saleh', '0322-661488', 1986, 1760, 'khalafiyah', -6.8983, 112.3614),
  (7, '510035050176', 'Pondok Pesantren Mambaul Hikam', '35.05', 'Kanigoro', 'Sawentar',
   'Jl. Raya Sawentar No. 17', 'KH. Mahmud Yunus', '0342-803154', 1968, 980, 'salafiyah', -8.1347, 112.2180),
  (8, '510035060198', 'Pondok Pesantren Darussalam Kepung', '35.06', 'Kepung', 'Kepung',
   'Jl. Pesantren No. 1 Kepung', 'KH. Ali Musthofa Said', '0354-327715', 1957, 1420, 'terpadu', -7.8530, 112.3022),
  (9, '510035140061', 'Pondok Pesantren Sabilul Muttaqin', '35.14', 'Bangil', 'Kalirejo',
   'Jl. Kalirejo No. 40', 'KH. Zainal Arifin', '0343-741902', 1972, 760, 'khalafiyah', -7.6004, 112.7757),
  (10, '510035270019', 'Pondok Pesantren Bustanul Ulum', '35.27', 'Torjun', 'Torjun',
   'Dusun Rabesan', 'KH. Fathurrahman Syamsuri', '0323-322410', 1944, 1080, 'salafiyah', -7.1619, 113.1768),
  (11, '510035290132', 'Pondok Pesantren Nurul Iman Gapura', '35.29', 'Gapura', 'Gapura Timur',
   'Jl. Raya Gapura No. 88', 'KH. Moh. Syafi''i Anwar', '0328-671245', 1980, 890, 'terpadu', -7.0188, 114.0124),
  (12, '510035180077', 'Pondok Pesantren Hidayatul Mubtadiin', '35.18', 'Kertosono', 'Banaran',
   'Jl. Panglima Sudirman No. 65', 'KH. Abdullah Faqih', '0358-551873', 1963, 1190, 'salafiyah', -7.5887, 112.0961),
  (13, '510035150104', 'Pondok Pesantren Roudlotul Jannah', '35.15', 'Krian', 'Terik',
   'Jl. Raya Terik No. 9', 'Nyai Hj. Siti Aminah', '031-8975214', 1991, 540, 'khalafiyah', -7.4155, 112.5902),
  (14, '510035250058', 'Pondok Pesantren Darul Muttaqin', '35.25', 'Manyar', 'Suci',
   'Jl. Raya Suci No. 14', 'KH. Achmad Rofiq', '031-3951477', 1978, 820, 'terpadu', -7.1331, 112.6013),
  (15, '510035230093', 'Pondok Pesantren Manbaul Ulum', '35.23', 'Palang', 'Cepokorejo',
   'Jl. Raya Tuban-Paciran Km 7', 'KH. Mustain Billah', '0356-411720', 1955, 710, 'salafiyah', -6.9247, 112.1296),
  (16, '510035220066', 'Pondok Pesantren Al-Muhajirin', '35.22', 'Kapas', 'Bendo',
   'Jl. Raya Kapas No. 30', 'KH. Syamsul Ma''arif', '0353-884051', 1983, 460, 'khalafiyah', -7.1862, 111.9219),
  (17, '510035020141', 'Pondok Pesantren Baitul Hikmah', '35.02', 'Jetis', 'Tegalsari',
   'Jl. Kyai Ageng Muhammad Besari', 'KH. Hasyim Sholeh', '0352-311602', 1970, 1270, 'terpadu', -7.9382, 111.4773),
  (18, '510035200039', 'Pondok Pesantren Sirojul Huda', '35.20', 'Maospati', 'Ronowijayan',
   'Jl. Ronowijayan No. 5', 'KH. Fauzan Ma''ruf', '0351-869230', 1988, 380, 'salafiyah', -7.6087, 111.4306),
  (19, '510035210112', 'Pondok Pesantren Al-Mubarok', '35.21', 'Paron', 'Gelung',
   'Jl. Raya Paron No. 22', 'KH. Abdul Rohim', '0351-748119', 1993, 520, 'khalafiyah', -7.4196, 111.3958),
  (20, '510035130085', 'Pondok Pesantren Zainul Huda', '35.13', 'Kraksaan', 'Patokan',
   'Jl. Panglima Sudirman No. 71', 'KH. Zainuddin Tamim', '0335-842566', 1959, 1640, 'terpadu', -7.7590, 113.4082),
  (21, '510035120047', 'Pondok Pesantren Syafi''iyah Al-Hasaniyah', '35.12', 'Asembagus', 'Trigonco',
   'Dusun Karanganyar', 'KH. Hasan Mubarok', '0338-453012', 1946, 2870, 'salafiyah', -7.7521, 114.2168),
  (22, '510035110073', 'Pondok Pesantren Al-Ma''ruf', '35.11', 'Tenggarang', 'Bataan',
   'Jl. Raya Tenggarang No. 12', 'KH. Ma''ruf Hidayat', '0332-426781', 1977, 690, 'salafiyah', -7.9222, 113.8491),
  (23, '510035080029', 'Pondok Pesantren Darul Ulum Al-Fattah', '35.08', 'Tempeh', 'Tempeh Tengah',
   'Jl. Raya Tempeh No. 54', 'KH. Fattahul Alim', '0334-881430', 1966, 1030, 'terpadu', -8.2147, 113.1569),
  (24, '510035260091', 'Pondok Pesantren Tarbiyatul Athfal', '35.26', 'Burneh', 'Burneh',
   'Jl. Raya Burneh No. 3', 'KH. Kholil Asy''ari', '031-3095176', 1950, 930, 'salafiyah', -7.0409, 112.7884),
  (25, '510035280054', 'Pondok Pesantren Al-Khoiriyah', '35.28', 'Pademawu', 'Pademawu Timur',
   'Jl. Raya Pademawu No. 19', 'KH. Khoirul Anam', '0324-322845', 1985, 570, 'khalafiyah', -7.1873, 113.5205),
  (26, '510035160108', 'Pondok Pesantren Riyadlul Jannah', '35.16', 'Sooko', 'Sooko',
   'Jl. Raya Sooko No. 28', 'KH. Ahmad Muhaimin', '0321-322094', 1981, 1110, 'terpadu', -7.4914, 112.4403),
  (27, '510035730016', 'Pondok Pesantren Al-Kautsar', '35.73', 'Lowokwaru', 'Tlogomas',
   'Jl. Tlogomas Gang 9 No. 4', 'Dr. KH. Muhammad Ismail', '0341-567833', 1998, 430, 'khalafiyah', -7.9275, 112.5994),
  (28, '510035780033', 'Pondok Pesantren Darul Arqom', '35.78', 'Wonocolo', 'Jemur Wonosari',
   'Jl. Jemursari Utara No. 11', 'KH. Arqom Hidayatullah', '031-8433520', 1990, 610, 'khalafiyah', -7.3215, 112.7370),
  (29, '510035170188', 'Pondok Pesantren Fathul Ulum', '35.17', 'Tembelang', 'Pesantren',
   'Jl. Raya Tembelang No. 7', 'KH. Moh. Fathul Bari', '0321-853612', 1962, 980, 'salafiyah', -7.5251, 112.2712),
  (30, '510035090257', 'Pondok Pesantren Nurul Qarnain', '35.09', 'Kencong', 'Wonorejo',
   'Jl. Raya Kencong No. 102', 'KH. Qarnain Abdullah', '0336-321457', 1974, 1510, 'terpadu', -8.2783, 113.3747),
  (31, '510035070314', 'Pondok Pesantren Al-Badri', '35.07', 'Gondanglegi', 'Ketawang',
   'Jl. Raya Ketawang No. 6', 'KH. Badrus Sholeh', '0341-879120', 1987, 740, 'salafiyah', -8.1750, 112.6396),
  (32, '510035790012', 'Pondok Pesantren Hidayatullah Batu', '35.79', 'Bumiaji', 'Punten',
   'Jl. Raya Punten No. 33', 'Ust. Abdul Ghofur', '0341-591874', 2001, 260, 'khalafiyah', -7.8429, 112.5313),
  (33, '510035010024', 'Pondok Pesantren Ar-Rahmah', '35.01', 'Arjosari', 'Gayuhan',
   'Dusun Krajan', 'KH. Rahmatullah Sidiq', '0357-881163', 1996, 310, 'salafiyah', -8.1578, 111.1751),
  (34, '510035030041', 'Pondok Pesantren Miftahul Huda', '35.03', 'Pogalan', 'Ngadirenggo',
   'Jl. Raya Pogalan No. 45', 'KH. Miftahul Munir', '0355-792540', 1979, 580, 'terpadu', -8.0867, 111.7469),
  (35, '510035190058', 'Pondok Pesantren Al-Azhar Dolopo', '35.19', 'Dolopo', 'Doho',
   'Jl. Raya Dolopo No. 16', 'KH. Azharuddin', '0351-366218', 1984, 450, 'khalafiyah', -7.7603, 111.5119),
  (36, '510035710027', 'Pondok Pesantren Al-Hikam Mojoroto', '35.71', 'Mojoroto', 'Bandar Lor',
   'Jl. Penanggungan No. 23', 'KH. Hikamuddin Ahmad', '0354-773190', 1969, 870, 'terpadu', -7.8095, 111.9894);

INSERT INTO pesantren (id, nspp, name, region_code, address, district, village, leader_name, phone,
                       founded_year, santri_count, typology, latitude, longitude, created_at, updated_at)
SELECT pg_temp.demo_id('pesantren', d.nspp), d.nspp, d.name, d.region_code, d.address, d.district, d.village,
       d.leader_name, d.phone, d.founded_year, d.santri_count, d.typology, d.latitude, d.longitude,
       timestamptz '2023-01-09 02:00:00+00' + d.n * interval '1 day',
       timestamptz '2023-01-09 02:00:00+00' + d.n * interval '1 day'
  FROM demo_pesantren d
ON CONFLICT DO NOTHING;

-- The rows as stored (an NSPP that already existed keeps its own id).
CREATE TEMP TABLE demo_p ON COMMIT DROP AS
SELECT d.n, p.id, p.region_code FROM demo_pesantren d JOIN pesantren p ON p.nspp = d.nspp;

------------------------------------------------------------------------------
-- Users: mentors by area, one operator per pesantren, a viewer
------------------------------------------------------------------------------
CREATE TEMP TABLE demo_users (email text PRIMARY KEY, name text, role text, pesantren_n integer, region_codes text[])
ON COMMIT DROP;
INSERT INTO demo_users VALUES
  ('ahmad.fauzi@demo.opop-jatim.example', 'Ahmad Fauzi', 'mentor', NULL,
   '{35.01,35.02,35.03,35.04,35.18,35.19,35.20,35.21,35.77}'),
  ('dewi.rahmawati@demo.opop-jatim.example', 'Dewi Rahmawati', 'mentor', NULL,
   '{35.08,35.09,35.10,35.11,35.12,35.13,35.74}'),
  ('ridwan.hakim@demo.opop-jatim.example', 'Moh. Ridwan Hakim', 'mentor', NULL,
   '{35.22,35.23,35.24,35.25,35.26,35.27,35.28,35.29}'),
  ('rina.kusumawati@demo.opop-jatim.example', 'Rina Kusumawati', 'mentor', NULL,
   '{35.05,35.06,35.07,35.71,35.72,35.73,35.79}'),
  ('hendra.wijaya@demo.opop-jatim.example', 'Hendra Wijaya', 'mentor', NULL,
   '{35.14,35.15,35.16,35.17,35.75,35.76,35.78}'),
  ('analis.bappeda@demo.opop-jatim.example', 'Analis Bappeda Jawa Timur', 'viewer', NULL, '{}');
INSERT INTO demo_users
SELECT 'operator.' || d.nspp || '@demo.opop-jatim.example', 'Operator ' || substr(d.name, 18), 'operator', d.n, '{}'
  FROM demo_pesantren d;

INSERT INTO users (id, email, name, role, password_hash, pesantren_id, region_codes)
SELECT pg_temp.demo_id('user', u.email), u.email, u.name, u.role,
       '$argon2id$v=19$m=65536,t=2,p=1$9o0UXriGzzzTw9kkB7R2dA$05oE+AAJ2NzmXxWK+Z3dO3p/ToLWWWdITpZEGtnY1VE',
       p.id, u.region_codes
  FROM demo_users u LEFT JOIN demo_p p ON p.n = u.pesantren_n
 WHERE u.pesantren_n IS NULL OR p.id IS NOT NULL
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE demo_u ON COMMIT DROP AS
SELECT u.id, u.email, u.role, u.pesantren_id, u.region_codes
  FROM demo_users d JOIN users u ON lower(u.email) = lower(d.email);

-- The mentor of each demo pesantren (by region) and its operator.
CREATE TEMP TABLE demo_people ON COMMIT DROP AS
SELECT p.n, p.id AS pesantren_id,
       (SELECT m.id FROM demo_u m WHERE m.role = 'mentor' AND p.region_code = ANY (m.region_codes) LIMIT 1) AS mentor_id,
       (SELECT o.id FROM demo_u o WHERE o.role = 'operator' AND o.pesantren_id = p.id LIMIT 1) AS operator_id
  FROM demo_p p;

------------------------------------------------------------------------------
-- Programmes of 2023 and 2024, and who took part
------------------------------------------------------------------------------
CREATE TEMP TABLE demo_programs (
  key text PRIMARY KEY, pillar text, name text, description text, year integer, start_date date, end_date date,
  quota integer, organizer text, final_status text
) ON COMMIT DROP;
INSERT INTO demo_programs VALUES
  ('koppontren-2023', 'pesantrenpreneur', 'Pelatihan Koppontren 2023',
   'Pelatihan tata kelola koperasi pondok pesantren, pembukuan, dan pengembangan produk unggulan.',
   2023, '2023-03-06', '2023-11-24', 15, 'Dinas Koperasi dan UKM Provinsi Jawa Timur', 'completed'),
  ('santripreneur-2023', 'santripreneur', 'Santripreneur Bootcamp 2023',
   'Pelatihan kewirausahaan bagi santri: ide usaha, produksi, pemasaran daring, dan permodalan.',
   2023, '2023-05-15', '2023-10-27', 12, 'Dinas Koperasi dan UKM Provinsi Jawa Timur', 'completed'),
  ('sosiopreneur-2023', 'sosiopreneur', 'Inkubasi Sosiopreneur Alumni 2023',
   'Inkubasi usaha sosial alumni pesantren bersama masyarakat sekitar.',
   2023, '2023-07-03', '2023-12-15', 8, 'Biro Kesejahteraan Rakyat Setdaprov Jawa Timur', 'completed'),
  ('koppontren-2024', 'pesantrenpreneur', 'Pelatihan Koppontren 2024',
   'Penguatan kelembagaan Koppontren angkatan 2024 dan pendampingan standardisasi produk.',
   2024, '2024-02-19', '2024-12-13', 15, 'Dinas Koperasi dan UKM Provinsi Jawa Timur', 'active'),
  ('santripreneur-2024', 'santripreneur', 'Santripreneur Digital Marketing 2024',
   'Pemasaran digital untuk santri: marketplace, media sosial, fotografi produk.',
   2024, '2024-04-22', '2024-09-27', 15, 'Dinas Komunikasi dan Informatika Provinsi Jawa Timur', 'completed'),
  ('sosiopreneur-2024', 'sosiopreneur', 'Pendampingan Sosiopreneur Desa 2024',
   'Pendampingan usaha sosial alumni pesantren di desa sekitar pondok.',
   2024, '2024-03-04', '2024-12-20', 10, 'Biro Kesejahteraan Rakyat Setdaprov Jawa Timur', 'active'),
  ('kurasi-2024', 'pesantrenpreneur', 'Kurasi Produk Unggulan Pesantren 2024',
   'Kurasi produk unggulan pesantren untuk pameran dan katalog perdagangan provinsi.',
   2024, '2024-11-04', '2024-12-20', 20, 'Dinas Perindustrian dan Perdagangan Provinsi Jawa Timur', 'planned');

-- Enrolment opens only while a programme is planned or active: programmes
-- that end completed start active, take their participants, then close.
INSERT INTO programs (id, pillar, name, description, year, start_date, end_date, quota, organizer, status)
SELECT pg_temp.demo_id('program', key), pillar, name, description, year, start_date, end_date, quota, organizer,
       CASE final_status WHEN 'planned' THEN 'planned' ELSE 'active' END
  FROM demo_programs
ON CONFLICT DO NOTHING;

-- (programme, pesantren n from..to, status it ends in)
CREATE TEMP TABLE demo_enrol ON COMMIT DROP AS
SELECT pg_temp.demo_id('program', e.program) AS program_id, p.id AS pesantren_id, p.n, e.target
  FROM (VALUES
    ('koppontren-2023', 1, 10, 'graduated'), ('koppontren-2023', 11, 11, 'withdrawn'),
    ('koppontren-2023', 12, 12, 'rejected'),
    ('santripreneur-2023', 7, 14, 'graduated'), ('santripreneur-2023', 15, 15, 'withdrawn'),
    ('santripreneur-2023', 16, 16, 'graduated'),
    ('sosiopreneur-2023', 1, 6, 'graduated'),
    ('koppontren-2024', 17, 24, 'active'), ('koppontren-2024', 25, 26, 'selected'),
    ('koppontren-2024', 27, 27, 'registered'), ('koppontren-2024', 28, 28, 'withdrawn'),
    ('santripreneur-2024', 21, 29, 'graduated'), ('santripreneur-2024', 30, 30, 'withdrawn'),
    ('santripreneur-2024', 31, 32, 'graduated'),
    ('sosiopreneur-2024', 1, 4, 'active'), ('sosiopreneur-2024', 17, 20, 'active'),
    ('kurasi-2024', 29, 34, 'registered')
  ) AS e (program, n_from, n_to, target)
  JOIN demo_p p ON p.n BETWEEN e.n_from AND e.n_to;

INSERT INTO enrolments (program_id, pesantren_id, created_at, updated_at)
SELECT e.program_id, e.pesantren_id, pr.start_date - 14 + e.n % 7, pr.start_date - 14 + e.n % 7
  FROM demo_enrol e JOIN programs pr ON pr.id = e.program_id
 WHERE NOT EXISTS (SELECT 1 FROM enrolments x WHERE x.program_id = e.program_id AND x.pesantren_id = e.pesantren_id)
   AND pr.status IN ('planned', 'active');

-- Each enrolment walks the allowed moves to where it ends; a second run finds
-- every one already there.
UPDATE enrolments x SET status = 'selected' FROM demo_enrol e
 WHERE x.program_id = e.program_id AND x.pesantren_id = e.pesantren_id
   AND x.status = 'registered' AND e.target IN ('selected', 'active', 'graduated');
UPDATE enrolments x SET status = 'active' FROM demo_enrol e
 WHERE x.program_id = e.program_id AND x.pesantren_id = e.pesantren_id
   AND x.status = 'selected' AND e.target IN ('active', 'graduated');
UPDATE enrolments x SET status = 'graduated' FROM demo_enrol e
 WHERE x.program_id = e.program_id AND x.pesantren_id = e.pesantren_id
   AND x.status = 'active' AND e.target = 'graduated';
UPDATE enrolments x SET status = e.target FROM demo_enrol e
 WHERE x.program_id = e.program_id AND x.pesantren_id = e.pesantren_id
   AND x.status = 'registered' AND e.target IN ('rejected', 'withdrawn');

UPDATE programs p SET status = d.final_status FROM demo_programs d
 WHERE p.id = pg_temp.demo_id('program', d.key) AND p.status = 'active' AND d.final_status = 'completed';

------------------------------------------------------------------------------
-- Products and their certifications (numbers are invented)
------------------------------------------------------------------------------
CREATE TEMP TABLE demo_products (
  n integer, k integer, name text, category text, description text, price_idr bigint, unit text,
  monthly_capacity bigint, certifications jsonb, PRIMARY KEY (n, k)
) ON COMMIT DROP;
INSERT INTO demo_products VALUES
  (1, 1, 'Air Minum Dalam Kemasan Darfa', 'beverage', 'Air mineral kemasan gelas dan botol dari sumber mata air pondok.',
   24000, 'dus 48 gelas', 6000,
   '[{"type": "halal", "number": "ID35110000112230723", "issued_on": "2023-07-14"},
     {"type": "bpom", "number": "BPOM RI MD 265113001517", "issued_on": "2021-02-03", "expires_on": "2026-02-03"},
     {"type": "sni", "number": "SNI 3553:2015/LSPro-0412", "issued_on": "2021-01-11", "expires_on": "2029-01-11"}]'),
  (1, 2, 'Kopi Robusta Wonosalam', 'beverage', 'Kopi robusta petik merah dari kebun mitra di lereng Anjasmoro.',
   45000, 'bungkus 250 g', 900,
   '[{"type": "pirt", "number": "P-IRT 2063517010123-27", "issued_on": "2022-05-10", "expires_on": "2027-05-10"},
     {"type": "halal", "number": "ID35110000118410922", "issued_on": "2022-09-05"}]'),
  (2, 1, 'Keripik Pisang Agung', 'food', 'Keripik pisang agung Lumajang aneka rasa, digoreng tanpa pengawet.',
   18000, 'bungkus 200 g', 2500,
   '[{"type": "pirt", "number": "P-IRT 2063509020045-23", "issued_on": "2018-04-02", "expires_on": "2023-04-02"},
     {"type": "halal", "number": "ID35110000098760522", "issued_on": "2022-05-19"}]'),
  (2, 2, 'Edamame Beku Santri', 'agriculture', 'Edamame beku hasil kebun santri, siap olah.',
   32000, 'kg', 4000,
   '[{"type": "haccp", "number": "HACCP-ID-2023-0417", "issued_on": "2023-08-01", "expires_on": "2026-08-01"},
     {"type": "nib", "number": "9120305118823"}]'),
  (3, 1, 'Kopi Arabika Ijen Santri', 'beverage', 'Kopi arabika Ijen sangrai medium, petani binaan pondok.',
   85000, 'bungkus 250 g', 700,
   '[{"type": "pirt", "number": "P-IRT 2063510030017-28", "issued_on": "2023-02-20", "expires_on": "2028-02-20"},
     {"type": "halal", "number": "ID35110000126650323", "issued_on": "2023-03-28"},
     {"type": "merek", "number": "IDM001087245", "issued_on": "2022-11-15", "expires_on": "2032-11-15"}]'),
  (3, 2, 'Sale Pisang Kembiritan', 'food', 'Sale pisang basah dan kering khas Genteng.',
   15000, 'bungkus 250 g', 1800,
   '[{"type": "pirt", "number": "P-IRT 2063510030024-24", "issued_on": "2019-06-03", "expires_on": "2024-06-03"}]'),
  (4, 1, 'Kerupuk Rambak Karangrejo', 'food', 'Kerupuk rambak kulit sapi olahan koperasi pondok.',
   22000, 'bungkus 250 g', 1500,
   '[{"type": "halal", "number": "ID35110000101120722", "issued_on": "2022-07-08"}]'),
  (5, 1, 'Keripik Tempe Singosari', 'food', 'Keripik tempe tipis renyah, resep turun-temurun.',
   12000, 'bungkus 150 g', 5000,
   '[{"type": "pirt", "number": "P-IRT 2063507040113-26", "issued_on": "2021-09-13", "expires_on": "2026-09-13"},
     {"type": "halal", "number": "ID35110000092210122", "issued_on": "2022-01-24"},
     {"type": "merek", "number": "IDM000993146", "issued_on": "2021-11-02", "expires_on": "2031-11-02"}]'),
  (5, 2, 'Sari Apel Raudlah', 'beverage', 'Minuman sari apel dari petani apel Poncokusumo.',
   30000, 'dus 24 cup', 2200,
   '[{"type": "bpom", "number": "BPOM RI MD 251513004521", "issued_on": "2020-03-17", "expires_on": "2025-03-17"},
     {"type": "halal", "number": "ID35110000062990320", "issued_on": "2020-03-02", "expires_on": "2024-03-02"}]'),
  (5, 3, 'Konveksi Seragam Santri', 'fashion', 'Jahit seragam sekolah, baju koko, dan gamis pesanan.',
   150000, 'stel', 800, '[]'),
  (6, 1, 'Batik Tulis Paciran', 'fashion', 'Batik tulis motif pesisir Lamongan dengan pewarna alam.',
   375000, 'lembar 2 m', 120,
   '[{"type": "merek", "number": "IDM001012876", "issued_on": "2022-03-09", "expires_on": "2032-03-09"},
     {"type": "sni", "number": "SNI 8302:2016/LSPro-0088", "issued_on": "2020-10-21", "expires_on": "2023-10-21"}]'),
  (6, 2, 'Ikan Asap Sendang', 'fishery', 'Ikan tongkol dan manyung asap dari nelayan Paciran.',
   60000, 'kg', 1200,
   '[{"type": "pirt", "number": "P-IRT 2063524010032-27", "issued_on": "2022-01-17", "expires_on": "2027-01-17"},
     {"type": "halal", "number": "ID35110000104780822", "issued_on": "2022-08-11"}]'),
  (7, 1, 'Sambal Pecel Mambaul Hikam', 'food', 'Bumbu pecel kacang khas Blitar, pedas dan sedang.',
   17000, 'bungkus 250 g', 3500,
   '[{"type": "pirt", "number": "P-IRT 2063505030088-25", "issued_on": "2020-11-30", "expires_on": "2025-11-30"},
     {"type": "halal", "number": "ID35110000087130921", "issued_on": "2021-09-27"}]'),
  (7, 2, 'Kambing Etawa Santri', 'livestock', 'Kambing peranakan etawa dan susu kambing segar.',
   2800000, 'ekor', 20, '[]'),
  (8, 1, 'Tahu Takwa Darussalam', 'food', 'Tahu kuning khas Kediri dari kedelai pilihan.',
   25000, 'kotak 10 biji', 3000,
   '[{"type": "pirt", "number": "P-IRT 2063506010143-28", "issued_on": "2023-04-11", "expires_on": "2028-04-11"},
     {"type": "halal", "number": "ID35110000131220423", "issued_on": "2023-04-19"}]'),
  (8, 2, 'Gula Merah Tebu Kepung', 'agriculture', 'Gula tebu cetak dari kebun tebu rakyat Kepung.',
   19000, 'kg', 4500, '[{"type": "nib", "number": "9120306124471"}]'),
  (9, 1, 'Bordir Bangil', 'fashion', 'Kerudung dan mukena bordir khas Bangil.',
   185000, 'buah', 300,
   '[{"type": "merek", "number": "IDM000955203", "issued_on": "2021-06-15", "expires_on": "2031-06-15"}]'),
  (10, 1, 'Garam Krosok Torjun', 'agriculture', 'Garam krosok petani Madura, dicuci dan dikeringkan.',
   8000, 'kg', 20000,
   '[{"type": "sni", "number": "SNI 3556:2016/LSPro-0215", "issued_on": "2022-02-14", "expires_on": "2030-02-14"}]'),
  (10, 2, 'Jamu Madura Bustanul', 'beverage', 'Jamu serbuk sari rapat dan kunyit asam.',
   27000, 'botol 250 ml', 900,
   '[{"type": "bpom", "number": "BPOM RI TR 183005121", "issued_on": "2018-05-22", "expires_on": "2023-05-22"}]'),
  (11, 1, 'Rengginang Lorjuk', 'food', 'Rengginang lorjuk khas Sumenep.',
   20000, 'bungkus 250 g', 1400,
   '[{"type": "pirt", "number": "P-IRT 2063529010022-26", "issued_on": "2021-03-08", "expires_on": "2026-03-08"}]'),
  (11, 2, 'Keris Souvenir Aeng Tong-Tong', 'craft', 'Miniatur keris dan cinderamata logam dari perajin binaan.',
   250000, 'buah', 150, '[]'),
  (12, 1, 'Bawang Merah Goreng Kertosono', 'food', 'Bawang merah goreng dari petani Nganjuk.',
   28000, 'toples 250 g', 2600,
   '[{"type": "pirt", "number": "P-IRT 2063518010051-28", "issued_on": "2023-06-05", "expires_on": "2028-06-05"},
     {"type": "halal", "number": "ID35110000135550623", "issued_on": "2023-06-26"}]'),
  (13, 1, 'Kerupuk Udang Krian', 'food', 'Kerupuk udang sidoarjo siap goreng.',
   35000, 'kg', 2000,
   '[{"type": "pirt", "number": "P-IRT 2063515030067-27", "issued_on": "2022-02-01", "expires_on": "2027-02-01"},
     {"type": "halal", "number": "ID35110000099540622", "issued_on": "2022-06-13"}]'),
  (13, 2, 'Tas Kulit Tanggulangin Santri', 'craft', 'Tas dan dompet kulit dijahit santri putri.',
   275000, 'buah', 200,
   '[{"type": "merek", "number": "IDM001102381", "issued_on": "2023-01-30", "expires_on": "2033-01-30"}]'),
  (14, 1, 'Pudak Gresik Darul Muttaqin', 'food', 'Pudak khas Gresik dalam bungkus pelepah pinang.',
   30000, 'kotak 10 buah', 1100,
   '[{"type": "pirt", "number": "P-IRT 2063525010039-25", "issued_on": "2020-08-24", "expires_on": "2025-08-24"}]'),
  (14, 2, 'Songkok Gresik', 'fashion', 'Songkok beludru jahitan tangan.',
   65000, 'buah', 1000, '[{"type": "nib", "number": "9120102239874"}]'),
  (15, 1, 'Batik Gedog Tuban', 'fashion', 'Kain tenun gedog dan batik tulis Tuban.',
   450000, 'lembar 2 m', 80,
   '[{"type": "merek", "number": "IDM000977430", "issued_on": "2021-08-02", "expires_on": "2031-08-02"}]'),
  (15, 2, 'Legen Siwalan Palang', 'beverage', 'Legen dan buah siwalan segar dari petani Palang.',
   12000, 'botol 1 l', 2500,
   '[{"type": "pirt", "number": "P-IRT 2063523020014-23", "issued_on": "2018-09-10", "expires_on": "2023-09-10"}]'),
  (16, 1, 'Ledre Pisang Bojonegoro', 'food', 'Ledre pisang raja gulung tipis.',
   25000, 'kotak', 1300,
   '[{"type": "pirt", "number": "P-IRT 2063522010076-27", "issued_on": "2022-10-03", "expires_on": "2027-10-03"},
     {"type": "halal", "number": "ID35110000114221022", "issued_on": "2022-10-24"}]'),
  (17, 1, 'Jenang Ponorogo Baitul Hikmah', 'food', 'Jenang ketan gula aren dalam kemasan kotak.',
   22000, 'kotak 500 g', 1600,
   '[{"type": "pirt", "number": "P-IRT 2063502010097-29", "issued_on": "2024-03-04", "expires_on": "2029-03-04"},
     {"type": "halal", "number": "ID35110000150010324", "issued_on": "2024-03-22"}]'),
  (17, 2, 'Reog Miniatur', 'craft', 'Miniatur dadak merak reog untuk cinderamata.',
   125000, 'buah', 250, '[]'),
  (18, 1, 'Sambal Pecel Maospati', 'food', 'Bumbu pecel khas Magetan.',
   16000, 'bungkus 250 g', 2800,
   '[{"type": "pirt", "number": "P-IRT 2063520010033-28", "issued_on": "2023-01-16", "expires_on": "2028-01-16"}]'),
  (19, 1, 'Beras Organik Paron', 'agriculture', 'Beras organik varietas mentik wangi.',
   18500, 'kg', 12000,
   '[{"type": "sni", "number": "SNI 6128:2020/LSPro-0344", "issued_on": "2022-05-30", "expires_on": "2030-05-30"},
     {"type": "nib", "number": "9120304578112"}]'),
  (20, 1, 'Terasi Kraksaan', 'fishery', 'Terasi udang rebon dari nelayan pantai utara Probolinggo.',
   14000, 'bungkus 200 g', 3000,
   '[{"type": "pirt", "number": "P-IRT 2063513010028-24", "issued_on": "2019-02-11", "expires_on": "2024-02-11"},
     {"type": "halal", "number": "ID35110000054220219", "issued_on": "2019-02-25", "expires_on": "2023-02-25"}]'),
  (20, 2, 'Mangga Arumanis Probolinggo', 'agriculture', 'Mangga arumanis dan manalagi musiman.',
   20000, 'kg', 15000, '[]'),
  (21, 1, 'Sarung Tenun Santri Asembagus', 'fashion', 'Sarung tenun ATBM motif kotak.',
   210000, 'lembar', 600,
   '[{"type": "merek", "number": "IDM001144560", "issued_on": "2023-05-08", "expires_on": "2033-05-08"},
     {"type": "sni", "number": "SNI 8101:2015/LSPro-0561", "issued_on": "2023-09-04", "expires_on": "2027-09-04"}]'),
  (21, 2, 'Air Minum Al-Hasaniyah', 'beverage', 'Air minum dalam kemasan botol 600 ml.',
   48000, 'dus 24 botol', 8000,
   '[{"type": "bpom", "number": "BPOM RI MD 265112009231", "issued_on": "2022-07-25", "expires_on": "2027-07-25"},
     {"type": "halal", "number": "ID35110000107640722", "issued_on": "2022-07-29"},
     {"type": "sni", "number": "SNI 3553:2015/LSPro-0503", "issued_on": "2022-06-20", "expires_on": "2030-06-20"}]'),
  (22, 1, 'Tape Singkong Bondowoso', 'food', 'Tape singkong manis dalam besek bambu.',
   15000, 'besek', 2500,
   '[{"type": "pirt", "number": "P-IRT 2063511010062-26", "issued_on": "2021-11-01", "expires_on": "2026-11-01"}]'),
  (22, 2, 'Kopi Bondowoso Al-Ma''ruf', 'beverage', 'Kopi arabika Java Ijen-Raung dari kebun Sumberwringin.',
   95000, 'bungkus 250 g', 500,
   '[{"type": "halal", "number": "ID35110000140110124", "issued_on": "2024-01-15"},
     {"type": "merek", "number": "IDM001176302", "issued_on": "2023-10-02", "expires_on": "2033-10-02"}]'),
  (23, 1, 'Keripik Pisang Tempeh', 'food', 'Keripik pisang kepok aneka rasa.',
   16000, 'bungkus 200 g', 2200,
   '[{"type": "pirt", "number": "P-IRT 2063508010044-29", "issued_on": "2024-02-12", "expires_on": "2029-02-12"}]'),
  (24, 1, 'Batik Tanjung Bumi Santri', 'fashion', 'Batik tulis gentongan Madura.',
   650000, 'lembar 2 m', 60, '[]'),
  (24, 2, 'Kaldu Kokot Burneh', 'food', 'Bumbu kaldu kokot sapi kemasan instan.',
   30000, 'bungkus', 1000,
   '[{"type": "pirt", "number": "P-IRT 2063526010015-28", "issued_on": "2023-07-03", "expires_on": "2028-07-03"},
     {"type": "halal", "number": "ID35110000138730723", "issued_on": "2023-07-24"}]'),
  (25, 1, 'Garam Beryodium Al-Khoiriyah', 'agriculture', 'Garam konsumsi beryodium dari petambak Pademawu.',
   6000, 'bungkus 500 g', 30000,
   '[{"type": "sni", "number": "SNI 3556:2016/LSPro-0233", "issued_on": "2023-03-13", "expires_on": "2031-03-13"},
     {"type": "halal", "number": "ID35110000127050323", "issued_on": "2023-03-30"}]'),
  (26, 1, 'Onde-Onde Mojokerto', 'food', 'Onde-onde wijen isi kacang hijau, beku siap goreng.',
   30000, 'kotak 20 buah', 1800,
   '[{"type": "pirt", "number": "P-IRT 2063516010091-27", "issued_on": "2022-04-18", "expires_on": "2027-04-18"},
     {"type": "halal", "number": "ID35110000101370522", "issued_on": "2022-05-09"}]'),
  (26, 2, 'Sepatu Kulit Santri Sooko', 'fashion', 'Sepatu pantofel kulit buatan perajin binaan.',
   325000, 'pasang', 250,
   '[{"type": "merek", "number": "IDM001062218", "issued_on": "2022-08-22", "expires_on": "2032-08-22"}]'),
  (27, 1, 'Jasa Desain dan Percetakan Al-Kautsar', 'services', 'Desain kemasan, label, dan percetakan untuk UMKM pesantren.',
   250000, 'paket', 150, '[{"type": "nib", "number": "9120108347721"}]'),
  (27, 2, 'Keripik Kentang Malang', 'food', 'Keripik kentang balado dari kentang Tosari.',
   22000, 'bungkus 200 g', 1600,
   '[{"type": "pirt", "number": "P-IRT 2063573010019-24", "issued_on": "2019-10-14", "expires_on": "2024-10-14"}]'),
  (28, 1, 'Kue Kering Darul Arqom', 'food', 'Kue kering lebaran: nastar, kastengel, putri salju.',
   85000, 'toples 500 g', 900,
   '[{"type": "pirt", "number": "P-IRT 2063578010106-28", "issued_on": "2023-03-20", "expires_on": "2028-03-20"},
     {"type": "halal", "number": "ID35110000129880423", "issued_on": "2023-04-03"}]'),
  (28, 2, 'Laundry Kiloan Santri', 'services', 'Jasa cuci setrika kiloan untuk warga sekitar pondok.',
   7000, 'kg', 6000, '[{"type": "nib", "number": "9120207712548"}]'),
  (29, 1, 'Jamur Tiram Tembelang', 'agriculture', 'Jamur tiram segar dan baglog bibit.',
   14000, 'kg', 3500, '[]'),
  (30, 1, 'Kopi Luwak Nurul Qarnain', 'beverage', 'Kopi luwak liar dari kebun Jember selatan.',
   150000, 'bungkus 100 g', 200,
   '[{"type": "pirt", "number": "P-IRT 2063509040066-27", "issued_on": "2022-12-05", "expires_on": "2027-12-05"},
     {"type": "halal", "number": "ID35110000119981222", "issued_on": "2022-12-19"}]'),
  (30, 2, 'Ikan Lele Segar', 'fishery', 'Lele konsumsi dari kolam bioflok pondok.',
   24000, 'kg', 2500, '[]'),
  (31, 1, 'Susu Sapi Pasteurisasi Al-Badri', 'livestock', 'Susu sapi segar pasteurisasi dari peternak mitra.',
   9000, 'botol 500 ml', 9000,
   '[{"type": "pirt", "number": "P-IRT 2063507050071-25", "issued_on": "2020-07-20", "expires_on": "2025-07-20"}]'),
  (32, 1, 'Sari Apel Batu Hidayatullah', 'beverage', 'Sari buah apel Batu tanpa pemanis buatan.',
   36000, 'dus 12 botol', 1500,
   '[{"type": "bpom", "number": "BPOM RI MD 251513011934", "issued_on": "2023-11-06", "expires_on": "2028-11-06"},
     {"type": "halal", "number": "ID35110000144561123", "issued_on": "2023-11-27"}]'),
  (33, 1, 'Batu Akik Pacitan', 'craft', 'Batu akik dan perhiasan batu mulia olahan santri.',
   175000, 'buah', 120, '[]'),
  (34, 1, 'Alen-Alen Trenggalek', 'food', 'Camilan alen-alen singkong khas Trenggalek.',
   13000, 'bungkus 250 g', 2000,
   '[{"type": "pirt", "number": "P-IRT 2063503010057-28", "issued_on": "2023-05-22", "expires_on": "2028-05-22"}]'),
  (35, 1, 'Brem Madiun Al-Azhar', 'food', 'Brem padat dan brem cair khas Madiun.',
   20000, 'kotak', 1500,
   '[{"type": "pirt", "number": "P-IRT 2063519010026-26", "issued_on": "2021-04-12", "expires_on": "2026-04-12"}]'),
  (36, 1, 'Tahu Kuning Mojoroto', 'food', 'Tahu kuning Kediri kemasan vakum.',
   26000, 'kotak 10 biji', 2400,
   '[{"type": "pirt", "number": "P-IRT 2063571010082-28", "issued_on": "2023-08-28", "expires_on": "2028-08-28"},
     {"type": "halal", "number": "ID35110000139900923", "issued_on": "2023-09-11"}]'),
  (36, 2, 'Gethuk Pisang Kediri', 'food', 'Gethuk pisang kukus dalam bungkus daun pisang.',
   18000, 'gulung', 1200, '[]');

INSERT INTO products (id, pesantren_id, name, category, description, price_idr, unit, monthly_capacity,
                      certifications, created_at, updated_at)
SELECT pg_temp.demo_id('product', d.n || '/' || d.k), p.id, d.name, d.category, d.description, d.price_idr, d.unit,
       d.monthly_capacity, d.certifications,
       timestamptz '2023-02-01 03:00:00+00' + (d.n * 9 + d.k * 31) * interval '1 day',
       timestamptz '2023-02-01 03:00:00+00' + (d.n * 9 + d.k * 31) * interval '1 day'
  FROM demo_products d JOIN demo_p p ON p.n = d.n
ON CONFLICT DO NOTHING;

------------------------------------------------------------------------------
-- Mentoring visits, each by the mentor of the pesantren's region
------------------------------------------------------------------------------
CREATE TEMP TABLE demo_visits (key text PRIMARY KEY, n integer, visited_on date, aspects text[], notes text, follow_up text)
ON COMMIT DROP;
INSERT INTO demo_visits VALUES
  ('v1', 1, '2023-04-12', '{kelembagaan,sdm}',
   'Rapat pengurus Koppontren: AD/ART sudah disahkan, pembukuan masih manual.',
   'Pelatihan aplikasi pembukuan koperasi untuk bendahara.'),
  ('v2', 1, '2023-09-20', '{produk,pemasaran}',
   'Kemasan air minum diperbarui; penjualan ke wali santri naik.', 'Daftarkan produk ke katalog elektronik daerah.'),
  ('v3', 2, '2023-05-08', '{produk}',
   'Sertifikat PIRT keripik pisang sudah habis masa berlakunya.', 'Ajukan perpanjangan PIRT ke Dinas Kesehatan Jember.'),
  ('v4', 5, '2023-06-15', '{produk,pembiayaan}',
   'Produksi keripik tempe stabil; butuh mesin spinner peniris minyak.', 'Susun proposal pembiayaan ke bank syariah daerah.'),
  ('v5', 6, '2023-08-03', '{pemasaran}',
   'Batik tulis dipamerkan di galeri Dekranasda Lamongan.', NULL),
  ('v6', 8, '2023-10-11', '{kelembagaan,sdm,produk}',
   'Santri bagian produksi tahu dilatih higiene sanitasi pangan.', 'Lengkapi dokumen untuk sertifikasi halal tahu takwa.'),
  ('v7', 10, '2023-11-22', '{produk,pemasaran}',
   'Izin edar jamu perlu diperbarui sebelum dipasarkan ke luar Madura.', 'Konsultasi registrasi ulang ke Balai POM Surabaya.'),
  ('v8', 13, '2023-07-26', '{sdm}',
   'Pelatihan jahit kulit untuk 12 santri putri.', NULL),
  ('v9', 17, '2024-03-14', '{kelembagaan}',
   'Koppontren baru dibentuk; pengurus dan pengawas sudah dipilih.', 'Pengesahan badan hukum koperasi.'),
  ('v10', 20, '2024-04-30', '{produk}',
   'Sertifikat halal dan PIRT terasi sudah kedaluwarsa.', 'Ajukan sertifikasi halal melalui jalur self declare.'),
  ('v11', 21, '2024-05-16', '{pemasaran,pembiayaan}',
   'Sarung tenun laku di marketplace; modal kerja kurang untuk benang.', 'Ajukan KUR mikro untuk modal benang.'),
  ('v12', 24, '2024-06-19', '{produk,pemasaran}',
   'Kaldu kokot mendapat sertifikat halal; siap masuk toko oleh-oleh.', NULL),
  ('v13', 26, '2024-08-07', '{sdm,pemasaran}',
   'Santri dilatih foto produk dan penulisan deskripsi marketplace.', 'Buka toko resmi di dua marketplace.'),
  ('v14', 30, '2024-09-25', '{pembiayaan}',
   'Laporan keuangan unit usaha rapi; siap mengajukan pembiayaan.', 'Pendampingan penyusunan rencana bisnis.'),
  ('v15', 3, '2024-10-09', '{kelembagaan,sdm,produk,pemasaran,pembiayaan}',
   'Evaluasi menyeluruh unit usaha kopi: omzet naik, stok bahan baku aman.', 'Ikutkan kurasi produk unggulan 2024.');

INSERT INTO visits (id, pesantren_id, mentor_id, visited_on, aspects, notes, follow_up, created_at, updated_at)
SELECT pg_temp.demo_id('visit', v.key), pp.pesantren_id, pp.mentor_id, v.visited_on, v.aspects, v.notes, v.follow_up,
       ((v.visited_on + 1) + time '03:00') AT TIME ZONE 'UTC',
       ((v.visited_on + 1) + time '03:00') AT TIME ZONE 'UTC'
  FROM demo_visits v JOIN demo_people pp ON pp.n = v.n
ON CONFLICT DO NOTHING;

------------------------------------------------------------------------------
-- Province-wide targets for 2023 and 2024
------------------------------------------------------------------------------
INSERT INTO targets (indicator_id, period, value)
SELECT i.id, t.period, t.value
  FROM (VALUES
    ('OMZET', '2023', 7500000000), ('OMZET', '2024', 30000000000),
    ('ASET', '2023', 9000000000), ('ASET', '2024', 18000000000),
    ('SANTRI_TRAINED', '2023', 400), ('SANTRI_TRAINED', '2024', 900),
    ('ALUMNI_TRAINED', '2023', 150), ('ALUMNI_TRAINED', '2024', 260),
    ('KOPPONTREN_MEMBERS', '2023', 1500), ('KOPPONTREN_MEMBERS', '2024', 3500),
    ('PRODUCTS_HALAL', '2023', 15), ('PRODUCTS_HALAL', '2024', 25),
    ('EMPLOYEES', '2023', 150), ('EMPLOYEES', '2024', 330)
  ) AS t (code, period, value)
  JOIN indicators i ON i.code = t.code
ON CONFLICT DO NOTHING;

------------------------------------------------------------------------------
-- Measurements: what the pesantren reported, from the start of their cohort
-- to the end of 2024. Monthly turnover; the rest by quarter. Training counts
-- belong to the programme the santri or alumni were trained in.
------------------------------------------------------------------------------
CREATE TEMP TABLE demo_measures (
  id uuid PRIMARY KEY, n integer, indicator_id uuid, pesantren_id uuid, program_id uuid, period text,
  value numeric, target_status text
) ON COMMIT DROP;

-- Pesantren 1..16 report from July 2023, 17..32 from March 2024.
CREATE TEMP TABLE demo_reporting ON COMMIT DROP AS
SELECT p.n, p.id AS pesantren_id, CASE WHEN p.n <= 16 THEN date '2023-07-01' ELSE date '2024-03-01' END AS since,
       -- a monthly turnover of 15 to 125 million rupiah at the start
       15000000 + ((p.n * 37) % 23) * 5000000 AS base
  FROM demo_p p WHERE p.n <= 32;

INSERT INTO demo_measures (id, n, indicator_id, pesantren_id, program_id, period, value)
SELECT pg_temp.demo_id('measurement', 'OMZET/' || r.n || '/' || to_char(m, 'YYYY-MM')), r.n, i.id, r.pesantren_id, NULL,
       to_char(m, 'YYYY-MM'),
       round(r.base * (1 + 0.025 * months) * (CASE WHEN to_char(m, 'MM') IN ('03', '04') THEN 1.15 ELSE 1 END) / 1000) * 1000
  FROM demo_reporting r
  CROSS JOIN LATERAL generate_series(r.since, date '2024-12-01', interval '1 month') AS m
  CROSS JOIN LATERAL (SELECT (extract(year FROM m) - extract(year FROM r.since)) * 12
                             + extract(month FROM m) - extract(month FROM r.since) AS months) AS age
  JOIN indicators i ON i.code = 'OMZET';

-- Quarters from the first full quarter reported.
CREATE TEMP TABLE demo_quarters ON COMMIT DROP AS
SELECT r.n, r.pesantren_id, r.base, to_char(q, 'YYYY') || '-Q' || extract(quarter FROM q) AS period,
       extract(year FROM q)::integer AS year, row_number() OVER (PARTITION BY r.n ORDER BY q) AS qn
  FROM demo_reporting r
  CROSS JOIN LATERAL generate_series(date_trunc('quarter', r.since), date '2024-10-01', interval '3 months') AS q;

INSERT INTO demo_measures (id, n, indicator_id, pesantren_id, program_id, period, value)
SELECT pg_temp.demo_id('measurement', i.code || '/' || q.n || '/' || q.period), q.n, i.id, q.pesantren_id, NULL, q.period,
       CASE i.code
         WHEN 'ASET' THEN round(q.base * (6 + q.qn * 0.5) / 1000000) * 1000000
         WHEN 'KOPPONTREN_MEMBERS' THEN 40 + (q.n * 13) % 60 + q.qn * 6
         WHEN 'EMPLOYEES' THEN 3 + q.n % 8 + q.qn
         ELSE least(q.qn, (SELECT count(*) FROM demo_products d WHERE d.n = q.n AND d.certifications @> '[{"type": "halal"}]'))
       END
  FROM demo_quarters q
  JOIN indicators i ON i.code IN ('ASET', 'KOPPONTREN_MEMBERS', 'EMPLOYEES', 'PRODUCTS_HALAL');

-- Santri trained in a santripreneur programme, alumni in a sosiopreneur one,
-- in the quarters of the programme's year, by the pesantren that took part.
INSERT INTO demo_measures (id, n, indicator_id, pesantren_id, program_id, period, value)
SELECT pg_temp.demo_id('measurement', i.code || '/' || q.n || '/' || q.period), q.n, i.id, q.pesantren_id, pr.id,
       q.period, CASE WHEN pr.pillar = 'santripreneur' THEN 8 + (q.n * 7 + q.qn * 3) % 25 ELSE 4 + (q.n * 5 + q.qn) % 12 END
  FROM demo_quarters q
  JOIN demo_enrol e ON e.n = q.n AND e.target IN ('active', 'graduated')
  JOIN programs pr ON pr.id = e.program_id AND pr.year = q.year AND pr.pillar IN ('santripreneur', 'sosiopreneur')
  JOIN indicators i ON i.code = CASE pr.pillar WHEN 'santripreneur' THEN 'SANTRI_TRAINED' ELSE 'ALUMNI_TRAINED' END;

-- Most values are verified; the last month or quarter of some pesantren still
-- waits for its mentor, one was sent back, a few are drafts.
UPDATE demo_measures m SET target_status = CASE
    WHEN m.period IN ('2024-12', '2024-Q4') AND m.n % 5 = 0 THEN 'submitted'
    WHEN m.period IN ('2024-12', '2024-Q4') AND m.n % 11 = 3 THEN 'draft'
    WHEN m.period = '2024-11' AND m.n = 9 THEN 'rejected'
    ELSE 'verified' END;

INSERT INTO measurements (id, indicator_id, pesantren_id, program_id, period, value, created_by, note)
SELECT m.id, m.indicator_id, m.pesantren_id, m.program_id, m.period, m.value, pp.operator_id,
       CASE WHEN m.target_status = 'rejected' THEN 'Termasuk penjualan titipan koperasi lain.' END
  FROM demo_measures m JOIN demo_people pp ON pp.n = m.n
ON CONFLICT DO NOTHING;

-- The workflow stamps who submitted and verified from the acting user, so each
-- pesantren's values are submitted by its operator and decided by its mentor.
DO $$
DECLARE
  who record;
BEGIN
  FOR who IN SELECT * FROM demo_people WHERE n <= 32 ORDER BY n LOOP
    PERFORM pg_temp.demo_act_as(who.operator_id);
    UPDATE measurements x SET status = 'submitted'
      FROM demo_measures m
     WHERE x.id = m.id AND m.n = who.n AND x.status = 'draft' AND m.target_status <> 'draft';
    PERFORM pg_temp.demo_act_as(who.mentor_id);
    UPDATE measurements x SET status = 'verified'
      FROM demo_measures m
     WHERE x.id = m.id AND m.n = who.n AND x.status = 'submitted' AND m.target_status = 'verified';
    UPDATE measurements x SET status = 'rejected',
           rejection_reason = 'Omzet memuat penjualan titipan; laporkan hanya penjualan unit usaha pondok.'
      FROM demo_measures m
     WHERE x.id = m.id AND m.n = who.n AND x.status = 'submitted' AND m.target_status = 'rejected';
  END LOOP;
  PERFORM pg_temp.demo_act_as(NULL);
END $$;

COMMIT;
