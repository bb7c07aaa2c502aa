#!/usr/bin/env python3
"""Writes a stand-in Ghibli API catalog the size and shape of the real one into a folder:
films.json (22 films), people.json (57 people), species.json (7 species), as GET /films, /people
and /species send them. Generated, deterministic (seeded), no text copied from the API: titles
with Japanese originals and romanisations with macrons, descriptions of the real length (300 to
900 characters), people linked from both sides as the real data is (some films list only the
collection link, some people name films that do not name them).

    bench/make-catalog.py OUTPUT_FOLDER
"""
import json
import os
import random
import sys
import uuid

API = "https://ghibliapi.vercel.app"
random.seed(20261123)

WORDS = ("a girl boy forest spirit castle sky sea wind valley river town witch wizard cat dog train "
         "bath house war fire moon star mountain village journey secret friend family father mother "
         "grandmother island kingdom machine flight summer winter rain garden wolf boar prince "
         "princess curse dream memory letter song bridge tower market harbour lantern").split()
KANA = list("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん")
KANJI = list("天空城森海風谷川町魔女猫火月星山村旅夢歌橋塔市港灯王姫狼猪夏冬雨庭")
ROMAJI = ["Tenkū", "no", "shiro", "Kaze", "tani", "Majo", "takkyūbin", "Mori", "Umi", "Hotaru", "haka",
          "Kurenai", "buta", "Mimi", "sumaseba", "Sen", "Chihiro", "kamikakushi", "Hauru", "ugoku",
          "Gake", "ue", "Kokuriko", "zaka", "Kaguya", "hime", "monogatari", "Omoide", "Mānī"]
EYES = ["Black", "Brown", "Blue", "Grey", "Green", "Hazel", "Red", "NA"]
HAIR = ["Black", "Brown", "Blonde", "Grey", "White", "Red", "Light Orange", "NA"]
AGES = [str(n) for n in range(4, 70)] + ["late teens", "Elderly", "Adult", "Unknown", ""]
SPECIES = ["Human", "Deer", "Spirit", "God", "Cat", "Totoro", "Dragon"]
NAMES = ("Aki Haru Kaito Mei Sora Yuki Ren Hana Tomo Nao Riku Emi Kenji Sachi Daichi Mio Hiro Nori "
         "Asuka Jun Kiyo Taro Umeko Yoshi Ōtsuki Ōno Shō Rūna Jūzō Kōji").split()
SURNAMES = "Kusakabe Ogino Okino Tsukishima Hayashi Mori Kobayashi Takahashi Ōyama Yamada".split()


def sentence(words):
    text = " ".join(random.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def description():
    text = ""
    target = random.randint(300, 900)
    while len(text) < target:
        text += (" " if text else "") + sentence(random.randint(8, 18))
    return text


def film_title():
    return " ".join(random.choice(WORDS) for _ in range(random.randint(2, 4))).title()


def main(folder):
    os.makedirs(folder, exist_ok=True)
    species = [{"id": str(uuid.UUID(int=random.getrandbits(128))), "name": name,
                "classification": random.choice(["Mammal", "Spirit", "Reptile"]),
                "eye_colors": ", ".join(random.sample(EYES[:-1], 3)),
                "hair_colors": ", ".join(random.sample(HAIR[:-1], 3)),
                "people": [f"{API}/people/"], "films": [f"{API}/films/"]} for name in SPECIES]
    for kind in species:
        kind["url"] = f"{API}/species/{kind['id']}"
    films = []
    for year in sorted(random.sample(range(1984, 2024), 22)):
        film_id = str(uuid.UUID(int=random.getrandbits(128)))
        films.append({
            "id": film_id,
            "title": film_title(),
            "original_title": "".join(random.choice(KANJI) for _ in range(random.randint(1, 3)))
                              + "の" + "".join(random.choice(KANA) for _ in range(random.randint(2, 6))),
            "original_title_romanised": " ".join(random.sample(ROMAJI, random.randint(2, 4))),
            "image": f"https://image.tmdb.org/t/p/w600_and_h900_bestv2/{uuid.UUID(int=random.getrandbits(128)).hex}.jpg",
            "movie_banner": f"https://image.tmdb.org/t/p/w533_and_h300_bestv2/{uuid.UUID(int=random.getrandbits(128)).hex}.jpg",
            "description": description(),
            "director": random.choice(["Hayao Miyazaki", "Isao Takahata", "Yoshifumi Kondō", "Hiromasa Yonebayashi",
                                       "Gorō Miyazaki", "Hiroyuki Morita", "Tomomi Mochizuki"]),
            "producer": random.choice(["Toshio Suzuki", "Isao Takahata", "Yoshiaki Nishimura", "Hayao Miyazaki"]),
            "release_date": str(year),
            "running_time": str(random.randint(70, 140)),
            "rt_score": str(random.randint(70, 100)),
            "people": [f"{API}/people/"],
            "species": [f"{API}/species/"],
            "locations": [f"{API}/locations/"],
            "vehicles": [f"{API}/vehicles/"],
            "url": f"{API}/films/{film_id}",
        })
    people = []
    for _ in range(57):
        person_id = str(uuid.UUID(int=random.getrandbits(128)))
        in_films = random.sample(films, 1 if random.random() < 0.85 else 2)
        people.append({
            "id": person_id,
            "name": random.choice(NAMES) + (" " + random.choice(SURNAMES) if random.random() < 0.5 else ""),
            "gender": random.choice(["Male", "Female", "NA"]),
            "age": random.choice(AGES),
            "eye_color": random.choice(EYES),
            "hair_color": random.choice(HAIR),
            "films": [f"{API}/films/{film['id']}" for film in in_films],
            "species": f"{API}/species/{random.choice(species)['id']}",
            "url": f"{API}/people/{person_id}",
        })
        # half the films also name their people, as the real data does for some
        for film in in_films:
            if int(film["release_date"]) % 2 == 0:
                film["people"] = [link for link in film["people"] if not link.endswith("/people/")]
                film["people"].append(f"{API}/people/{person_id}")
    for name, items in (("films", films), ("people", people), ("species", species)):
        with open(os.path.join(folder, name + ".json"), "w", encoding="utf-8") as out:
            json.dump(items, out, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
