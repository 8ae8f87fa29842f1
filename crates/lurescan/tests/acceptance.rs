//! The behaviour the default model promises on typical posts (issue 3's acceptance examples).

use lurescan::{Classifier, Label, Value};

const LURE: &str = "Loker luar negeri! Dicari CS, gaji 12jt/bln, tiket pesawat gratis, kerja di \
K4mboja. Tanpa pengalaman. WA 0812-3344-5566";

const JAKARTA_CALL_CENTRE: &str = "PT Mitra Kontak Nusantara membuka lowongan Customer Service \
Call Center untuk penempatan di Jakarta Selatan. Kualifikasi: pendidikan min. SMA/SMK, \
komunikatif, bersedia kerja shift. Gaji UMP DKI + insentif, BPJS. Walk in interview \
Senin-Jumat pukul 09.00 di Gedung Graha Mitra lt. 5, Jl. TB Simatupang. Info: WA 0812-9876-5432";

const EMBASSY_WARNING: &str = "Imbauan KBRI Phnom Penh: Waspada tawaran kerja di Kamboja melalui \
media sosial yang menjanjikan gaji USD 1.000, tiket pesawat gratis dan tanpa pengalaman. Banyak \
WNI menjadi korban penipuan online dan TPPO. Hubungi hotline KBRI jika membutuhkan bantuan.";

#[test]
fn indonesian_lure_is_flagged_with_its_evidence() {
    let clf = Classifier::bundled();
    let e = clf.explain(LURE);
    assert_eq!(e.label, Label::Lure, "score {}", e.score);
    let evidence = |signal: &str| -> Vec<&str> {
        e.reasons
            .iter()
            .filter(|r| r.signal == signal)
            .flat_map(|r| r.evidence.iter().map(|ev| ev.text.as_str()))
            .collect()
    };
    assert_eq!(evidence("salary_mentioned"), ["12jt/bln"]);
    assert_eq!(evidence("travel_perk"), ["tiket pesawat gratis"]);
    assert_eq!(evidence("vague_role"), ["CS"]);
    assert_eq!(evidence("dest_cambodia"), ["K4mboja"]);
    assert_eq!(evidence("contact_whatsapp"), ["WA 0812-3344-5566"]);
    let salary = e
        .reasons
        .iter()
        .flat_map(|r| &r.evidence)
        .find_map(|ev| match &ev.value {
            Some(Value::Salary(m)) => Some(m.clone()),
            _ => None,
        })
        .expect("a salary value");
    assert_eq!(salary.currency, "IDR");
    assert!((salary.usd_per_month_max - 750.0).abs() < 1.0);
}

#[test]
fn honest_call_centre_job_and_warning_score_low() {
    let clf = Classifier::bundled();
    for text in [JAKARTA_CALL_CENTRE, EMBASSY_WARNING] {
        let s = clf.score(text);
        assert_eq!(s.label(), Label::Ok, "{:.3}: {text}", s.probability());
    }
    assert!(clf.score(LURE).probability() > 5.0 * clf.score(JAKARTA_CALL_CENTRE).probability());
}

#[test]
fn batch_equals_single_and_explain_agrees_with_score() {
    let clf = Classifier::bundled();
    let texts = [LURE, JAKARTA_CALL_CENTRE, EMBASSY_WARNING, "", "🇰🇭✈️💰"];
    let batch = clf.score_batch(&texts);
    for (t, b) in texts.iter().zip(&batch) {
        assert_eq!(clf.score(t), *b);
        let e = clf.explain(t);
        assert!((e.score - b.probability()).abs() < 1e-9);
        let sum = e.intercept
            + e.ngram_contribution
            + e.reasons.iter().map(|r| r.contribution).sum::<f64>();
        assert!((sum - e.logit).abs() < 1e-9);
    }
}

#[test]
fn bundled_model_round_trips_through_its_file() {
    let clf = Classifier::bundled();
    let again = Classifier::from_slice(clf.to_json().as_bytes()).expect("reloads");
    assert_eq!(clf.score(LURE), again.score(LURE));
    let mut corrupt = clf.to_json();
    corrupt = corrupt.replacen("\"lure\":", "\"lure\": 0.5, \"x\":", 1);
    assert!(Classifier::from_slice(corrupt.as_bytes()).is_err());
}

/// A lure followed by a long stretch of innocent text is scored and explained by the window
/// that holds it: the padding does not wash it out, the evidence points into the original
/// text, and the parts still add up to the logit.
#[test]
fn padded_lure_is_explained_by_its_window() {
    let clf = Classifier::bundled();
    let lure = "Dicari CS online, gaji 12jt/bln, tiket pesawat gratis, kerja di K4mboja. \
                Tanpa pengalaman! Minat WA 0812-3456-7890";
    let padding = CHATTER.repeat(100);
    for text in [
        format!("{padding}\n\n{lure}"),
        format!("{padding} {lure} {padding}"),
    ] {
        let e = clf.explain(&text);
        assert_eq!(e.score, clf.score(&text).probability());
        assert!(e.window.start < e.window.end && e.window.end <= text.len());
        assert!(text[e.window.clone()].contains("K4mboja"), "{:?}", e.window);
        assert!(e.score >= clf.thresholds().review, "{}", e.score);
        let sum: f64 = e.intercept
            + e.ngram_contribution
            + e.reasons.iter().map(|r| r.contribution).sum::<f64>();
        assert!((sum - e.logit).abs() < 1e-9);
        for ev in e.reasons.iter().flat_map(|r| &r.evidence) {
            assert!(e.window.start <= ev.start && ev.end <= e.window.end);
            assert_eq!(&text[ev.start..ev.end], ev.text);
        }
    }
    assert_eq!(clf.explain(lure).window, 0..lure.len());
}

/// A news report (over 1 KB, so scored in windows) that retells a lure in the middle of its
/// reporting: the window that holds the retold offer, cut from the report around it, reads
/// like an offer.
const NEWS_REPORT: &str = "JAKARTA — Kepolisian membongkar jaringan yang mengirim sedikitnya 40 \
warga Jawa Barat dan Sumatera Utara ke sebuah kompleks di pinggiran kota perbatasan. Kasus ini \
terungkap setelah keluarga salah satu pekerja melapor ke Polda pada awal bulan, karena anaknya \
tidak bisa dihubungi selama tiga minggu.

Menurut penyidik, para tersangka mencari calon pekerja lewat grup Facebook dan akun TikTok yang \
rutin mengunggah video \"kehidupan kerja di luar negeri\". Korban yang tertarik diarahkan untuk \
mengirim pesan pribadi, lalu dihubungi oleh perekrut yang mengaku sebagai HRD perusahaan.

Iklan yang disebarkan para pelaku berbunyi kurang lebih: dicari admin dan customer service, gaji \
12 juta per bulan, tiket pesawat dan visa ditanggung, tanpa pengalaman, berangkat minggu depan, \
minat langsung chat WhatsApp.

Sesampainya di sana, paspor para pekerja ditahan dan mereka dipaksa menjalankan penipuan daring \
hingga 15 jam sehari. Mereka yang menolak mengaku dipukul dan dipindahkan ke gedung lain. Enam \
orang berhasil melarikan diri dan meminta bantuan KBRI, yang kemudian berkoordinasi dengan \
otoritas setempat untuk memulangkan mereka.

Kepala subdirektorat yang menangani kasus ini mengatakan tiga tersangka telah ditahan dan \
dijerat dengan Undang-Undang Tindak Pidana Perdagangan Orang. Ia mengimbau masyarakat agar \
memeriksa setiap tawaran kerja ke luar negeri melalui BP2MI dan Disnaker setempat, dan tidak \
mudah percaya pada janji gaji besar tanpa syarat yang jelas.";

/// The offer the report retells, on its own.
const RETOLD_OFFER: &str = "dicari admin dan customer service, gaji 12 juta per bulan, tiket \
pesawat dan visa ditanggung, tanpa pengalaman, berangkat minggu depan, minat langsung chat \
WhatsApp.";

/// Posts that fire no signal, for padding.
const CHATTER: &str = "Hari ini kami makan siang bersama keluarga di rumah nenek. ";

/// A window is read in its context: the retold offer scores as a lure alone, but inside the
/// report the windows that hold it are scored with the report's sentences around them, and the
/// explanation shows the report's warning words as the evidence.
#[test]
fn an_offer_retold_in_a_long_report_is_read_with_the_report() {
    let clf = Classifier::bundled();
    assert_eq!(clf.classify(RETOLD_OFFER), Label::Lure);
    assert!(NEWS_REPORT.len() > 1024);
    let e = clf.explain(NEWS_REPORT);
    assert_eq!(e.label, Label::Ok, "score {}", e.score);
    assert_eq!(e.score, clf.score(NEWS_REPORT).probability());
    let sum: f64 =
        e.intercept + e.ngram_contribution + e.reasons.iter().map(|r| r.contribution).sum::<f64>();
    assert!((sum - e.logit).abs() < 1e-9);
    for ev in e.reasons.iter().flat_map(|r| &r.evidence) {
        assert_eq!(&NEWS_REPORT[ev.start..ev.end], ev.text);
    }
    // Whatever part decided the score, it reads as the report it is part of.
    let warning = e
        .reasons
        .iter()
        .find(|r| r.signal == "warning_context")
        .expect("the scored part reads as a warning");
    assert!(
        warning
            .evidence
            .iter()
            .all(|ev| e.window.start <= ev.start && ev.end <= e.window.end)
    );
    // The offer with a little of the report around it, read alone, is still a lure: what
    // lowers it is the report around it.
    let at = NEWS_REPORT
        .find("12 juta")
        .expect("the report quotes the offer");
    let cut = &NEWS_REPORT[at.saturating_sub(120)..at + 120];
    assert_eq!(clf.classify(cut), Label::Lure, "{cut}");
}

/// The reach of that context is local: a lure with a warning pasted a kilobyte away is still a
/// lure, as the windows that hold the lure do not see the warning.
#[test]
fn a_warning_pasted_far_from_a_lure_does_not_excuse_it() {
    let clf = Classifier::bundled();
    assert_eq!(clf.classify(RETOLD_OFFER), Label::Lure);
    let far = format!(
        "{RETOLD_OFFER}\n\n{}\n\n{EMBASSY_WARNING}",
        CHATTER.repeat(20)
    );
    assert!(far.len() > 1024);
    let e = clf.explain(&far);
    assert_eq!(e.label, Label::Lure, "score {}", e.score);
    assert!(e.reasons.iter().all(|r| r.signal != "warning_context"));
}
